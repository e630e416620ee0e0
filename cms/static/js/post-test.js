// Post-test page: one submit per attempt, and the timer when there is a limit.
// The server keeps the real deadline and grades once; this only helps the clinician.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var submitted = false;
  form.addEventListener("submit", function (event) {
    // A second click would only meet "already graded": send the answers once.
    if (submitted) { event.preventDefault(); return; }
    submitted = true;
    var button = form.querySelector("button[type=submit]");
    if (button) { button.setAttribute("aria-disabled", "true"); button.textContent = "Submitting…"; }
  });

  var timer = document.getElementById("timer");
  if (!timer) return;
  var clock = document.getElementById("timer-clock");
  var announcer = document.getElementById("timer-announcer");
  var endsAt = Date.now() + (parseInt(timer.dataset.secondsLeft, 10) || 0) * 1000;
  // Announced politely at these marks (seconds left), never every second.
  var milestones = [600, 300, 120, 60, 30];
  var announced = {};

  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function say(text) { if (announcer) { announcer.textContent = text; } }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    clock.textContent = format(left);
    milestones.forEach(function (mark) {
      if (left <= mark && !announced[mark] && left > 0) {
        announced[mark] = true;
        if (left > mark - 5) {
          say(mark >= 60 ? (mark / 60) + " minute" + (mark > 60 ? "s" : "") + " left."
                         : mark + " seconds left.");
        }
      }
    });
    if (left <= 0 && !submitted) {
      submitted = true;
      say("Time is up. Submitting your answers.");
      document.getElementById("time-up").value = "1";
      form.submit();  // bypasses "required": unanswered questions count as wrong
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
