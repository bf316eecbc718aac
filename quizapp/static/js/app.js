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
