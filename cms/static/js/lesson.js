// Idle-aware reading time for a lesson. A beat goes out every interval only while
// the tab is visible and the reader has used keyboard, mouse, touch or scroll in
// the last five minutes; it claims the seconds since the previous beat. The server
// credits no more than the wall-clock time between the beats it receives.
(function () {
  "use strict";
  var lesson = document.getElementById("lesson");
  if (!lesson || !lesson.dataset.enrolled) return;
  var url = lesson.dataset.heartbeatUrl || "/learn/heartbeat/";
  var interval = (parseInt(lesson.dataset.heartbeat, 10) || 30) * 1000;
  var idleLimit = 5 * 60 * 1000;
  var lastInput = Date.now();
  var lastBeat = Date.now();
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";

  ["keydown", "mousemove", "mousedown", "scroll", "touchstart", "wheel"].forEach(function (name) {
    window.addEventListener(name, function () { lastInput = Date.now(); }, { passive: true });
  });

  // Every answer's body is read: pages for a signed-in person are sent with
  // "Cache-Control: no-store", and Chromium keeps a response whose body nobody
  // reads (and no cache drains) open, so the request never finishes.
  function drained(response) {
    return response.clone().text().then(function () { return response; });
  }
  function post(target, data, keepalive) {
    return fetch(target, {
      method: "POST", body: new URLSearchParams(data), credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(drained);
  }
  function active(now) {
    return document.visibilityState === "visible" && now - lastInput < idleLimit;
  }
  function beat(keepalive) {
    var now = Date.now();
    if (active(now)) {
      post(url, { lesson: lesson.dataset.lesson, seconds: Math.round((now - lastBeat) / 1000) }, keepalive)
        .catch(function () { /* offline: this stretch is simply not credited */ });
    }
    lastBeat = now;
  }

  // The first beat sets the server's baseline; it credits nothing.
  post(url, { lesson: lesson.dataset.lesson, seconds: 0 }).catch(function () {});
  setInterval(function () { beat(false); }, interval);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      // Leaving the tab: claim the stretch read since the last beat, then stop.
      var now = Date.now();
      if (now - lastInput < idleLimit) {
        post(url, { lesson: lesson.dataset.lesson, seconds: Math.round((now - lastBeat) / 1000) }, true)
          .catch(function () {});
      }
      lastBeat = now;
    } else {
      // Back on the tab: a fresh baseline, so the time away is never claimed.
      lastBeat = Date.now();
      lastInput = Date.now();
      post(url, { lesson: lesson.dataset.lesson, seconds: 0 }).catch(function () {});
    }
  });

  // Save reflections without leaving the page; the form still works without script.
  document.querySelectorAll(".journal-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = form.querySelector(".journal-status");
      post(form.action, new FormData(form)).then(function (response) {
        return response.json().then(function (data) {
          status.textContent = response.ok ? "Saved privately." : (data.error || "Could not save.");
        });
      }).catch(function () { status.textContent = "Could not save: check your connection."; });
    });
  });
})();
