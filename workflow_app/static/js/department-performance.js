/* 部门整体自评: a qualitative indicator's 完成程度 (share, 0–100) decides its level (达成/部分达成/未达成), which
 * the live breakdown (evaluation-scoring.js) reads from [data-eval=level]. This keeps that hidden field in step;
 * it runs before the breakdown's own handlers (capture phase, and loaded first). The server scores again on submit. */
(function () {
  "use strict";
  function sync(root) {
    if (!window.EvaluationScoring) { return; }
    root.querySelectorAll("[data-eval-row]").forEach(function (row) {
      var share = row.querySelector("[data-eval=share]"), level = row.querySelector("[data-eval=level]");
      if (!share || !level) { return; }
      var n = share.value.trim() === "" ? null : Number(share.value);
      level.value = n === null || !isFinite(n) ? "" : (window.EvaluationScoring.levelOf(n) || "");
    });
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("[data-evaluation-form]");
    if (form) { sync(form); }
  }, true);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-evaluation-form]").forEach(sync);
  });
}());
