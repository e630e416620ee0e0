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

  // After a refused submit: focus the error summary, and its "question 8" links
  // move focus into that question (its first choice), not only scroll to it.
  var summary = document.getElementById("form-error");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#question-']");
      if (!link) return;
      var fieldset = document.getElementById(link.getAttribute("href").slice(1));
      var first = fieldset && fieldset.querySelector("input");
      if (!first) return;
      event.preventDefault();
      fieldset.scrollIntoView({ block: "start" });
      first.focus({ preventScroll: true });
    });
  }

  // Each answer is saved as it is chosen (never graded: the submit still sends
  // every answer), so a reload or another device shows it again. One request at a
  // time per question, always sending its latest state.
  var saveUrl = form.dataset.saveUrl;
  var note = document.getElementById("save-note");
  var status = document.getElementById("save-status");
  var saveError = document.getElementById("save-error");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var inFlight = {}, pending = {};
  if (saveUrl && window.fetch && window.FormData) {
    if (note) note.hidden = false;
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.name || input.name.indexOf("q-") !== 0) return;
      save(input.name);
    });
  }

  function showError(text) {
    if (!saveError) return;
    saveError.textContent = text;
    saveError.hidden = !text;
  }

  function save(name) {
    if (submitted) return;
    if (inFlight[name]) { pending[name] = true; return; }
    inFlight[name] = true;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf ? csrf.value : "");
    body.append("question", name.slice(2));
    form.querySelectorAll("input[name='" + name + "']:checked").forEach(function (input) {
      body.append("choice", input.value);
    });
    fetch(saveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok) {
          showError("");
          var at = new Date(data.saved_at);
          if (status) {
            status.textContent = "Last saved " + at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + ".";
          }
        } else {
          showError("Not saved: " + (data.error || "the server refused the answer."));
        }
      });
    }).catch(function () {
      showError("Not saved just now (no connection?). Your answers are still sent when you submit.");
    }).then(function () {
      inFlight[name] = false;
      if (pending[name]) { pending[name] = false; save(name); }
    });
  }

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
