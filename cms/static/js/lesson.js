// Idle-aware reading time: beats only while the tab is visible and the reader
// has touched the page in the last five minutes. The server decides what counts.
(function () {
  "use strict";
  var lesson = document.getElementById("lesson");
  if (!lesson || !lesson.dataset.enrolled) return;
  var interval = (parseInt(lesson.dataset.heartbeat, 10) || 30) * 1000;
  var idleLimit = 5 * 60 * 1000;
  var lastInput = Date.now();
  var lastBeat = Date.now();
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  ["keydown", "mousemove", "mousedown", "scroll", "touchstart", "wheel"].forEach(function (name) {
    window.addEventListener(name, function () { lastInput = Date.now(); }, { passive: true });
  });
  function post(url, data) {
    var body = new URLSearchParams(data);
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    });
  }
  function beat() {
    var now = Date.now();
    var active = document.visibilityState === "visible" && now - lastInput < idleLimit;
    if (active) {
      post("/learn/heartbeat/", { lesson: lesson.dataset.lesson, seconds: Math.round((now - lastBeat) / 1000) });
    }
    lastBeat = now;
  }
  post("/learn/heartbeat/", { lesson: lesson.dataset.lesson, seconds: 0 });
  setInterval(beat, interval);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { lastBeat = Date.now(); }
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
