// The renewal packet's progress, without a reload.
//
// The packet box (data-packet-status-url, templates/renewals/license.html)
// asks its JSON endpoint every 1.5 s while the packet is being prepared,
// moves the progress bar and, once the PDF is ready, puts its download link
// in the box's live region. It stops after 10 minutes.
(function () {
  "use strict";
  if (!window.fetch) return;
  var box = document.querySelector("[data-packet-status-url]");
  if (!box) return;
  var url = box.getAttribute("data-packet-status-url");
  var bar = box.querySelector("progress");
  var percent = box.querySelector("[data-packet-percent]");
  var message = box.querySelector("[data-packet-message]");
  var deadline = Date.now() + 10 * 60 * 1000;

  function say(children) {
    var p = document.createElement("p");
    children.forEach(function (child) { p.appendChild(child); });
    message.replaceChildren(p);
  }

  function render(state) {
    bar.value = state.progress;
    bar.setAttribute("aria-valuetext", state.progress + " of 100 percent");
    if (percent) percent.textContent = state.progress + "%";
    if (state.status === "done" && state.url) {
      var link = document.createElement("a");
      link.className = "button button-small";
      link.href = state.url;
      link.textContent = "Download the renewal packet";
      say([document.createTextNode("Your packet is ready. "), link]);
      return true;
    }
    if (state.status === "failed") {
      say([document.createTextNode("We could not prepare the packet. Try again; if it fails again, contact us.")]);
      return true;
    }
    var words = state.label + ": " + state.step + "…";
    if (message.textContent.trim() !== words) say([document.createTextNode(words)]);
    return false;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (state && render(state)) return;
        if (Date.now() < deadline) window.setTimeout(poll, 1500);
      })
      .catch(function () { if (Date.now() < deadline) window.setTimeout(poll, 3000); });
  }

  if (!message.querySelector("a")) poll();
})();
