// 报送人大材料包: while a package is being built, poll its JSON status and move its progress bar.
(function () {
  "use strict";
  function watch(row) {
    var bar = row.querySelector("[data-bar]"), state = row.querySelector("[data-state]");
    function tick() {
      fetch(row.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) { return; }
          bar.style.width = s.percent + "%";
          bar.parentNode.setAttribute("aria-valuenow", s.percent);
          if (s.status === "done") {
            bar.className = "progress-bar bg-success";
            state.textContent = row.dataset.doneLabel || "";
            row.querySelector("[data-sha]").textContent = s.sha256 || "";
            row.querySelector("[data-download]").classList.remove("d-none");
          } else if (s.status === "failed") {
            bar.className = "progress-bar bg-danger";
            state.textContent = s.error || "";
          } else {
            setTimeout(tick, 1000);
          }
        });
    }
    tick();
  }
  document.querySelectorAll("tr.npc-package").forEach(function (row) {
    var bar = row.querySelector("[data-bar]");
    bar.style.width = (bar.dataset.percent || "0") + "%";
    if (row.dataset.status === "queued" || row.dataset.status === "running") { watch(row); }
  });
})();
