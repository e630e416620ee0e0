// Audit reports: the evidence packet's "Print" button (shown only when scripts run).
(function () {
  "use strict";
  document.querySelectorAll("[data-report-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
