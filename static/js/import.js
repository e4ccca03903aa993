// Import batch page: drive validation step by step and show progress (the page works without it:
// the "继续校验" button posts one step at a time).
(function () {
  "use strict";
  var form = document.getElementById("import-step");
  if (!form) { return; }
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  var button = form.querySelector("button");
  if (button) { button.disabled = true; }

  function step() {
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (state) {
      if (bar) { bar.value = state.processed; bar.max = state.total; }
      if (text) { text.textContent = state.processed + " / " + state.total; }
      if (state.status === "validating") { window.setTimeout(step, 0); } else { window.location.reload(); }
    }).catch(function () {
      if (button) { button.disabled = false; }
    });
  }
  step();
})();
