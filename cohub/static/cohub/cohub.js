/*
 * cohub: small, generic progressive enhancements. Every page works without
 * this file; it only makes a few things kinder.
 *
 * - <form data-confirm="Message"> (or a submit button with data-confirm) asks
 *   before submitting.
 * - An error summary ([data-error-summary]) is focused when the page loads,
 *   so screen reader and keyboard users land on it; its links move focus to
 *   the field and show the field's label too.
 *
 * Feature code (e.g. transcript selection) lives in its own file.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message =
      (submitter && submitter.getAttribute("data-confirm")) ||
      (form && form.getAttribute && form.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  function labelFor(input) {
    var fieldset = input.closest("fieldset");
    if (fieldset) {
      var legend = fieldset.querySelector("legend");
      if (legend) {
        return legend;
      }
    }
    if (input.id) {
      var label = document.querySelector('label[for="' + CSS.escape(input.id) + '"]');
      if (label) {
        return label;
      }
    }
    return input;
  }

  function enhanceErrorSummary(summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!input) {
        return;
      }
      event.preventDefault();
      labelFor(input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
    summary.focus();
  }

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    enhanceErrorSummary(summary);
  }
})();
