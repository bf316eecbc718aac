// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Forms marked data-confirm ask before submitting (destructive admin actions).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
