// Post-test timer: shows the time left, announces it politely at a few
// milestones (not every second), and submits the answers when time runs out.
// The server keeps the real deadline; this only helps the clinician see it.
(function () {
  "use strict";
  var timer = document.getElementById("timer");
  var form = document.getElementById("attempt-form");
  if (!timer || !form) return;
  var clock = document.getElementById("timer-clock");
  var announcer = document.getElementById("timer-announcer");
  var endsAt = Date.now() + (parseInt(timer.dataset.secondsLeft, 10) || 0) * 1000;
  var milestones = [600, 300, 120, 60, 30];
  var announced = {};
  var submitted = false;
  form.addEventListener("submit", function () { submitted = true; });

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
