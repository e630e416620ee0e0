// Polls a bulk job's JSON status and moves its progress bar until it is done.
(function () {
  "use strict";
  var root = document.querySelector("[data-bulk-job]");
  if (!root || !window.fetch) return;
  var bar = root.querySelector("[data-bulk-progress]");
  var text = root.querySelector("[data-bulk-text]");
  var url = root.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        bar.max = job.total;
        bar.value = job.done + job.failed;
        bar.textContent = job.percent + "%";
        text.textContent = job.status_label + ": " + job.done + " reissued" +
          (job.failed ? ", " + job.failed + " failed" : "") + " of " + job.total + ".";
        if (job.status !== "done") setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
