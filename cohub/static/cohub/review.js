/*
 * review.js: make a key quote by selecting words in a story's transcript.
 *
 * The page works without this file: the "Make a key quote" form lets people
 * choose parts by number (and exact words). With it, selecting words with a
 * mouse, finger or keyboard fills in the form's hidden char_start / char_end
 * fields and shows "You selected: ..."; letting go of a mouse drag also moves
 * focus to that preview.
 *
 * Offsets are counted in Unicode code points, as the server (Python) counts
 * them: each .segment-text element says where it starts in the transcript
 * (data-offset), and the text inside it, <mark> elements included, is exactly
 * that stretch of the transcript.
 *
 * Hooks: #transcript, .segment-text[data-offset], #highlight-form (fields
 * char_start, char_end, segment_from, segment_to, exact_words),
 * #selection-preview, .segment__quote-link[data-segment].
 */
(function () {
  "use strict";

  var form = document.getElementById("highlight-form");
  var transcript = document.getElementById("transcript");
  var preview = document.getElementById("selection-preview");
  if (!form || !transcript || !preview) {
    return;
  }
  var startInput = form.elements.namedItem("char_start");
  var endInput = form.elements.namedItem("char_end");
  var fromSelect = form.elements.namedItem("segment_from");
  var toSelect = form.elements.namedItem("segment_to");
  var wordsInput = form.elements.namedItem("exact_words");
  var texts = Array.prototype.slice.call(transcript.querySelectorAll(".segment-text"));

  function length(text) {
    return Array.from(text).length;
  }

  /*
   * A short story lists its parts by index; a long one has number fields where
   * a person types the part number the page shows (index + 1).
   */
  function setPart(field, index) {
    if (index === "") {
      field.value = "";
    } else {
      field.value = field.tagName === "SELECT" ? index : String(Number(index) + 1);
    }
  }

  function elementStart(el) {
    return Number(el.getAttribute("data-offset"));
  }

  function segmentIndex(el) {
    return el.closest(".segment").getAttribute("data-index");
  }

  /* Characters from the start of ``el`` to the boundary point (node, offset). */
  function localOffset(el, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(el);
    range.setEnd(node, offset);
    return length(range.toString());
  }

  /* Transcript offsets covered by ``range``, or null if it misses every part. */
  function rangeOffsets(range) {
    var hit = texts.filter(function (el) {
      return range.intersectsNode(el);
    });
    if (!hit.length) {
      return null;
    }
    var first = hit[0];
    var last = hit[hit.length - 1];
    var start = elementStart(first);
    if (first.contains(range.startContainer)) {
      start += localOffset(first, range.startContainer, range.startOffset);
    }
    var end = elementStart(last);
    if (last.contains(range.endContainer)) {
      end += localOffset(last, range.endContainer, range.endOffset);
    } else {
      end += length(last.textContent);
    }
    if (end <= start) {
      return null;
    }
    return { start: start, end: end, first: first, last: last };
  }

  /* The transcript words between two offsets, rebuilt from the page. */
  function wordsBetween(start, end) {
    var pieces = [];
    texts.forEach(function (el) {
      var chars = Array.from(el.textContent);
      var from = Math.max(start, elementStart(el)) - elementStart(el);
      var to = Math.min(end, elementStart(el) + chars.length) - elementStart(el);
      if (to > from) {
        pieces.push(chars.slice(from, to).join(""));
      }
    });
    return pieces.join(" ").replace(/\s+/g, " ").trim();
  }

  function showPreview(title, words, moveFocus) {
    preview.textContent = "";
    var heading = document.createElement("h3");
    heading.id = "selection-heading";
    heading.tabIndex = -1;
    heading.textContent = title;
    var quote = document.createElement("blockquote");
    var para = document.createElement("p");
    para.textContent = "“" + words + "”";
    quote.appendChild(para);
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "button--link";
    clear.id = "selection-clear";
    clear.textContent = "Clear this choice";
    clear.addEventListener("click", function () {
      clearChoice();
      fromSelect.focus();
    });
    preview.appendChild(heading);
    preview.appendChild(quote);
    preview.appendChild(clear);
    preview.hidden = false;
    if (moveFocus) {
      heading.focus();
      heading.scrollIntoView({ block: "nearest" });
    }
  }

  function clearSelectionFields() {
    startInput.value = "";
    endInput.value = "";
    preview.hidden = true;
    preview.textContent = "";
  }

  function clearChoice() {
    clearSelectionFields();
    setPart(fromSelect, "");
    setPart(toSelect, "");
    if (wordsInput) {
      wordsInput.value = "";
    }
  }

  function useSelection(moveFocus) {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return;
    }
    var found = rangeOffsets(selection.getRangeAt(0));
    if (!found) {
      return;
    }
    var unchanged =
      startInput.value === String(found.start) && endInput.value === String(found.end);
    if (unchanged && !preview.hidden && !moveFocus) {
      return;
    }
    var words = wordsBetween(found.start, found.end);
    if (!words) {
      return;
    }
    startInput.value = String(found.start);
    endInput.value = String(found.end);
    setPart(fromSelect, segmentIndex(found.first));
    setPart(toSelect, segmentIndex(found.last));
    if (wordsInput) {
      wordsInput.value = "";
    }
    showPreview("You selected:", words, moveFocus);
  }

  /*
   * The selection is the truth; events only say when to read it. Every change
   * to it inside the transcript fills in the form and the preview at once,
   * without moving focus, so a finger can keep dragging the selection
   * handles and a keyboard selection keeps its caret. Nothing waits on a
   * timer: a slow phone whose selection settles late is read when it settles.
   */
  document.addEventListener("selectionchange", function () {
    useSelection(false);
  });

  /*
   * A mouse drag that began in the transcript ends wherever the button is let
   * go (often past the end of the line); then focus moves to the preview.
   * The timeout lets the browser finish its own handling of the release first.
   */
  var dragging = false;
  transcript.addEventListener("mousedown", function (event) {
    dragging = event.button === 0;
  });
  document.addEventListener("mouseup", function () {
    if (!dragging) {
      return;
    }
    dragging = false;
    window.setTimeout(function () {
      useSelection(true);
    }, 0);
  });

  /* "Quote this part" links: choose the part without reloading the page. */
  transcript.addEventListener("click", function (event) {
    var link = event.target.closest(".segment__quote-link[data-segment]");
    if (!link) {
      return;
    }
    event.preventDefault();
    var index = link.getAttribute("data-segment");
    clearSelectionFields();
    setPart(fromSelect, index);
    setPart(toSelect, index);
    var segment = document.getElementById("seg-" + index);
    var text = segment ? segment.querySelector(".segment-text").textContent : "";
    showPreview("You chose part " + (Number(index) + 1) + ":", text, true);
  });

  /* Choosing parts or typing exact words by hand replaces a mouse selection. */
  [fromSelect, toSelect, wordsInput].forEach(function (field) {
    if (field) {
      field.addEventListener("change", clearSelectionFields);
    }
  });

  /* After the page comes back with an error, show what had been selected. */
  if (startInput.value && endInput.value) {
    var words = wordsBetween(Number(startInput.value), Number(endInput.value));
    if (words) {
      showPreview("You selected:", words, false);
    }
  }
})();
