// The certificate on the dashboard appears without a reload.
//
// Each course card whose certificate step has a status URL
// (data-status-url, see certificates/steps.py) asks that JSON endpoint for
// its certificates, shows their state in the card's live region and in the
// step, and adds download links once a PDF is ready, replacing the "being
// prepared" words. While a certificate is being prepared it asks again,
// every 2 s at first and more slowly after, for up to 10 minutes.
(function () {
  "use strict";
  if (!window.fetch) return;

  function text(tag, content, className) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    el.textContent = content;
    return el;
  }

  function link(href, label, hidden) {
    var a = text("a", label);
    a.href = href;
    if (hidden) a.appendChild(text("span", hidden, "visually-hidden"));
    return a;
  }

  // The words the dashboard serves while every certificate is still being
  // prepared (templates/courses/dashboard.html says the same).
  function preparing(count) {
    return count > 1
      ? "Your certificates are being prepared — they appear here in a moment."
      : "Your certificate is being prepared — it appears here in a moment.";
  }

  function render(card, data) {
    var step = card.querySelector('[data-step="certificate"]');
    var box = card.querySelector("[data-certificate-links]");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-certificate-links", "");
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      box.className = "certificate-links";
      card.appendChild(box);
    }
    var content = document.createElement("div");
    var waiting = data.pending && data.certificates.every(function (c) { return c.state === "pending"; });
    if (waiting) {
      content.appendChild(text("p", preparing(data.certificates.length)));
    } else if (data.certificates.length) {
      var list = document.createElement("ul");
      data.certificates.forEach(function (c) {
        var item = document.createElement("li");
        item.appendChild(text("strong", c.label));
        item.appendChild(document.createTextNode(": " + c.message + " "));
        if (c.urls) {
          item.appendChild(link(c.urls.pdf, "Download PDF", " of " + c.label));
          item.appendChild(document.createTextNode(" · "));
          item.appendChild(link(c.urls.badge, "Open Badge", " of " + c.label));
        }
        list.appendChild(item);
      });
      content.appendChild(list);
    }
    // Unchanged words stay untouched: a live region announces every rewrite.
    if (content.innerHTML !== box.innerHTML) {
      box.textContent = "";
      while (content.firstChild) box.appendChild(content.firstChild);
    }
    // The step in the list above says the same, so no "being prepared" is left behind.
    if (step && data.certificates.length) {
      var allReady = data.certificates.every(function (c) { return c.state === "ready"; });
      step.className = allReady ? "step-done" : "step-todo";
      // The step's state (courses.registry.StepState), by certificates/steps.py's rule:
      // preparing while none is ready and one at least is still being rendered.
      var anyReady = data.certificates.some(function (c) { return c.state === "ready"; });
      var anyPending = data.certificates.some(function (c) { return c.state === "pending"; });
      step.setAttribute(
        "data-step-state",
        allReady ? "done" : !anyReady && anyPending ? "preparing" : "open"
      );
      var done = step.querySelector(".visually-hidden");
      if (done) done.textContent = allReady ? "Done:" : "To do:";
      var muted = step.querySelector(".muted");
      if (muted) {
        muted.textContent = data.certificates.map(function (c) { return c.label + ": " + c.message; }).join(" ");
      }
    }
  }

  function watch(card) {
    var url = card.getAttribute("data-status-url");
    var started = Date.now();
    var delay = 2000;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) {
          render(card, data);
          if (data.pending && Date.now() - started < 600000) {
            setTimeout(poll, delay);
            delay = Math.min(delay * 1.5, 15000);
          }
        })
        .catch(function () {
          if (Date.now() - started < 600000) setTimeout(poll, 15000);
        });
    }
    poll();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-status-url]"), watch);
})();
