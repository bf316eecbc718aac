// The mock interview's countdown. The server keeps the real deadline and refuses late answers;
// this only shows the time left and opens the report when it runs out.
(function () {
  "use strict";
  var clock = document.querySelector("[data-countdown]");
  if (!clock) { return; }
  var text = clock.querySelector("[data-countdown-text]");
  var deadline = Date.now() + 1000 * Number(clock.getAttribute("data-seconds-left"));

  function show() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    text.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    if (left <= 60) { clock.classList.add("urgent"); }
    if (left === 0) {
      // A second's grace, so the server's clock has passed the deadline too.
      window.setTimeout(function () {
        window.location.assign(clock.getAttribute("data-done-url"));
      }, 1000);
      return;
    }
    window.setTimeout(show, 1000 - ((deadline - Date.now()) % 1000 + 1000) % 1000 || 1000);
  }
  show();
})();
