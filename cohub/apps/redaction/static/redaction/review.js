// Keys for going through a story's suggestions (the "Personal details" page).
// With a suggestion focused: R replaces it, K keeps it, E opens "other words",
// J or the down arrow goes to the next one, the up arrow to the one before,
// and U undoes the last change. Every key only presses a button or link that is
// on the page anyway, so the page works the same without this script.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-suggestion]"));
  if (!items.length) return;

  function focusFromHash() {
    var id = window.location.hash.slice(1);
    var target = id && document.getElementById(id);
    if (target && target.hasAttribute("data-suggestion")) target.focus();
  }
  focusFromHash();
  window.addEventListener("hashchange", focusFromHash);

  function typing(element) {
    return element && (element.tagName === "INPUT" || element.tagName === "TEXTAREA" ||
      element.tagName === "SELECT" || element.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    var key = event.key.toLowerCase();
    if (key === "u") {
      var undo = document.querySelector('[data-key="u"]');
      if (undo) { event.preventDefault(); undo.click(); }
      return;
    }
    var current = event.target.closest && event.target.closest("[data-suggestion]");
    if (!current) return;
    var at = items.indexOf(current);
    if (key === "j" || event.key === "ArrowDown") {
      if (at < items.length - 1) { event.preventDefault(); items[at + 1].focus(); }
    } else if (event.key === "ArrowUp") {
      if (at > 0) { event.preventDefault(); items[at - 1].focus(); }
    } else if (key === "r" || key === "k") {
      var button = current.querySelector('[data-key="' + key + '"]');
      if (button) { event.preventDefault(); button.click(); }
    } else if (key === "e") {
      var details = current.querySelector("details");
      if (details) {
        event.preventDefault();
        details.open = true;
        var input = details.querySelector("input[type=text]");
        if (input) { input.focus(); input.select(); }
      }
    }
  });
})();
