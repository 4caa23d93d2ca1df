/*
 * cohub: small, generic progressive enhancements. Every page works without
 * this file; it only makes a few things kinder.
 *
 * - <form data-confirm="Message"> (or a submit button with data-confirm) asks
 *   before submitting.
 * - An error summary ([data-error-summary]) is focused when the page loads,
 *   so screen reader and keyboard users land on it; its links move focus to
 *   the field and show the field's label too.
 * - <button data-copy="ID" hidden> copies the text of element ID to the
 *   clipboard and says "Copied" in [data-copy-status="ID"], a live region.
 *   The button is hidden until this file shows it, so without JavaScript the
 *   text is still there to select and copy by hand.
 * - On a narrow screen the project's sections scroll sideways in one row; the
 *   current one is scrolled into view (sideways only: the page stays put).
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

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyText(element) {
    var text = element.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http on a local network has no clipboard API: copy the selection.
    selectText(element);
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject();
  }

  function enhanceCopyButton(button) {
    var id = button.getAttribute("data-copy");
    var source = document.getElementById(id);
    var status = document.querySelector('[data-copy-status="' + CSS.escape(id) + '"]');
    if (!source || !status) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      // Emptied first, so a second copy is announced again.
      status.textContent = "";
      copyText(source).then(
        function () {
          status.textContent = "Copied";
        },
        function () {
          selectText(source);
          status.textContent = "Could not copy. The link is selected: copy it yourself.";
        }
      );
    });
  }

  document.querySelectorAll("[data-copy]").forEach(enhanceCopyButton);

  function showCurrentSection(list) {
    var current = list.querySelector("[aria-current='page']");
    if (!current || list.scrollWidth <= list.clientWidth) {
      return;
    }
    var item = current.closest("li") || current;
    list.scrollLeft = item.offsetLeft - (list.clientWidth - item.offsetWidth) / 2;
  }

  document.querySelectorAll(".project-nav__list").forEach(showCurrentSection);

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    enhanceErrorSummary(summary);
  }
})();
