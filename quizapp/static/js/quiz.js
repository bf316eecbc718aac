// Keyboard control and answer timing for the quiz pages. Every action is also a button.
(function () {
  "use strict";
  var started = Date.now();

  function visible(el) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); }

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) { return true; }
    return tag === "input" && !/^(radio|checkbox|button|submit)$/i.test(target.type);
  }

  function keyName(event) {
    if (event.key === " " || event.key === "Spacebar") { return "space"; }
    if (event.key === "Enter") { return "enter"; }
    return event.key.length === 1 ? event.key.toLowerCase() : "";
  }

  function findTarget(name) {
    var nodes = document.querySelectorAll('[data-key="' + name + '"], [data-key2="' + name + '"]');
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      // A grade button hidden inside a closed <details> only counts once the answer shows.
      var details = el.closest("details");
      if (details && !details.open && el.tagName.toLowerCase() !== "summary") { continue; }
      if (el.type === "radio" || el.type === "checkbox" ? visible(el.closest("label")) : visible(el)) { return el; }
    }
    return null;
  }

  // In a text box the letter keys type; Esc leaves the box so they work again, and
  // Ctrl+Z (Cmd+Z) in an empty box, where there is nothing to take back, undoes the last answer.
  function whileTyping(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.target.blur();
      return;
    }
    var undoKey = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey &&
      (event.key === "z" || event.key === "Z");
    if (undoKey && !event.target.value) {
      var undo = findTarget("u");
      if (undo) { event.preventDefault(); undo.click(); }
    }
  }

  document.addEventListener("keydown", function (event) {
    if (typing(event.target)) { whileTyping(event); return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var name = keyName(event);
    if (!name) { return; }
    // Enter or Space on a focused link or button does what that element does.
    if ((name === "enter" || name === "space") && event.target.closest &&
        event.target.closest("a, button, summary")) { return; }
    var target = findTarget(name);
    if (!target) { return; }
    event.preventDefault();
    if (target.tagName.toLowerCase() === "summary") {
      target.parentElement.open = !target.parentElement.open;
      return;
    }
    if (target.type === "radio" || target.type === "checkbox") {
      target.checked = target.type === "radio" ? true : !target.checked;
      target.focus();
      return;
    }
    target.click();
  });

  // The time to answer feeds the grade (fast right answers get 5).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-timed")) { return; }
    var field = form.querySelector('input[name="elapsed_ms"]');
    if (field) { field.value = String(Date.now() - started); }
    // A second click while the answer is on its way must not post it twice.
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });
})();
