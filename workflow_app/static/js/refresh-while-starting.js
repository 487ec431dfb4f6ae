// The monitoring round page while its batch start runs: reload every few seconds (data-refresh-seconds).
(function () {
  var marker = document.querySelector('[data-refresh-seconds]');
  if (!marker) { return; }
  var seconds = parseInt(marker.getAttribute('data-refresh-seconds'), 10) || 3;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
}());
