// Audit reports: the evidence packet's "Print" button (shown only when scripts run),
// and the audit packets' progress, polled while a build runs (states, not words).
(function () {
  "use strict";
  document.querySelectorAll("[data-report-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  function poll(row) {
    fetch(row.dataset.packetStatusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (packet) {
        row.dataset.packetState = packet.status;
        row.querySelector("progress").value = packet.percent;
        // The state decides; the words shown are the server's label for it.
        row.querySelector("[data-packet-label]").textContent = packet.status_label + ", " + packet.percent + "%";
        if (packet.download_url) {
          var cell = row.querySelector("[data-packet-download]");
          cell.textContent = "";
          var link = document.createElement("a");
          link.href = packet.download_url;
          link.textContent = "Download the ZIP";
          cell.appendChild(link);
        }
        if (packet.status === "queued" || packet.status === "building") {
          setTimeout(function () { poll(row); }, 2000);
        }
      })
      .catch(function () { setTimeout(function () { poll(row); }, 5000); });
  }
  document.querySelectorAll("[data-packet-status-url]").forEach(function (row) {
    if (row.dataset.packetState === "queued" || row.dataset.packetState === "building") { poll(row); }
  });
})();
