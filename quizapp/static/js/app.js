// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Registration: start from the browser's own time zone (the server checks it like any input).
  var zone = document.querySelector("input[data-detect-timezone]");
  if (zone && (zone.value === "" || zone.value === "UTC")) {
    try {
      var detected = Intl.DateTimeFormat().resolvedOptions().timeZone;
      var known = document.querySelector('#timezones option[value="' + detected + '"]');
      if (detected && known) { zone.value = detected; }
    } catch (error) { /* an old browser: UTC stays, and the user can type their zone */ }
  }
  // Forms marked data-confirm ask before submitting (destructive admin actions).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
// Topic picker: "Select all" / "Select none" buttons, shown only when this script runs.
(function () {
  "use strict";
  var bulk = document.querySelectorAll("[data-topic-bulk]");
  Array.prototype.forEach.call(bulk, function (bar) {
    var form = bar.closest("form");
    if (!form) { return; }
    bar.hidden = false;
    bar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-select]");
      if (!button) { return; }
      var ticked = button.getAttribute("data-select") === "all";
      Array.prototype.forEach.call(form.querySelectorAll('input[type="checkbox"][name="topic"]'),
        function (box) { box.checked = ticked; });
    });
  });
})();
