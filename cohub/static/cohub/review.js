/*
 * review.js: make a key quote by selecting words in a story's transcript.
 *
 * The page works without this file: the "Make a key quote" form lets people
 * choose parts by number (and exact words). With it, selecting words with a
 * mouse, finger or keyboard fills in the form's hidden char_start / char_end
 * fields and shows "You selected: ..." (ADR 0012, ADR 0014).
 *
 * Where the form sits beside the story (a wide screen), a selection fills it
 * in at once, without moving focus; letting go of a mouse drag then moves
 * focus to the preview. On a narrow screen the form is far below the story,
 * so a selection only shows a bar fixed to the edge of the screen, with
 * "Quote these words": nothing on the page moves, scrolls or takes focus
 * while a finger may still be dragging the selection handles. Asking opens
 * the form as a panel fixed to the bottom of the screen, next to the words,
 * which stay in sight above it; "Close" or Escape puts it back.
 *
 * Offsets are counted in Unicode code points, as the server (Python) counts
 * them: each .segment-text element says where it starts in the transcript
 * (data-offset), and the text inside it, <mark> elements included, is exactly
 * that stretch of the transcript.
 *
 * Hooks: #transcript, .segment-text[data-offset], #highlight-form (fields
 * char_start, char_end, segment_from, segment_to, exact_words),
 * #selection-preview, .segment__quote-link[data-segment], #make-quote (the
 * form's section), #quote-panel-close, #selection-bar (#selection-bar-words,
 * #selection-quote, #selection-dismiss).
 */
(function () {
  "use strict";

  var form = document.getElementById("highlight-form");
  var transcript = document.getElementById("transcript");
  var preview = document.getElementById("selection-preview");
  var section = document.getElementById("make-quote");
  var closeButton = document.getElementById("quote-panel-close");
  var bar = document.getElementById("selection-bar");
  var barWords = document.getElementById("selection-bar-words");
  var quoteButton = document.getElementById("selection-quote");
  var dismissButton = document.getElementById("selection-dismiss");
  if (!form || !transcript || !preview || !section || !closeButton || !bar) {
    return;
  }
  var startInput = form.elements.namedItem("char_start");
  var endInput = form.elements.namedItem("char_end");
  var fromSelect = form.elements.namedItem("segment_from");
  var toSelect = form.elements.namedItem("segment_to");
  var wordsInput = form.elements.namedItem("exact_words");
  var texts = Array.prototype.slice.call(transcript.querySelectorAll(".segment-text"));
  var root = document.documentElement;

  /* The width at which cohub.css sets the form beside the story (.story-layout). */
  var wide = window.matchMedia("(min-width: 64em)");

  /* Room kept between the chosen words and a bar or panel over the page. */
  var GAP = 16;

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

  /* What is selected in the transcript now, or null. */
  function currentChoice() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return null;
    }
    var range = selection.getRangeAt(0);
    var found = rangeOffsets(range);
    if (!found) {
      return null;
    }
    var words = wordsBetween(found.start, found.end);
    if (!words) {
      return null;
    }
    found.words = words;
    found.range = range.cloneRange();
    return found;
  }

  /*
   * The chosen words stay marked while focus is in the form (where the page's
   * own selection goes once a person types), in browsers that can paint a
   * highlight without changing the page.
   */
  var canMark = Boolean(window.CSS && CSS.highlights && window.Highlight);

  function markChoice(range) {
    if (canMark) {
      CSS.highlights.set("cohub-choice", new Highlight(range));
    }
  }

  function unmarkChoice() {
    if (canMark) {
      CSS.highlights.delete("cohub-choice");
    }
  }

  /*
   * A bar or panel over the page: keep focus and the end of the page out from
   * under it (WCAG 2.4.11): cohub.css pads the page and its scrolling by these.
   */
  function setOverlay(edge, height) {
    root.style.setProperty("--overlay-" + edge, height ? height + "px" : "0px");
  }

  function showPreview(title, words) {
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
    return heading;
  }

  function clearSelectionFields() {
    startInput.value = "";
    endInput.value = "";
    preview.hidden = true;
    preview.textContent = "";
    unmarkChoice();
  }

  function clearChoice() {
    clearSelectionFields();
    setPart(fromSelect, "");
    setPart(toSelect, "");
    if (wordsInput) {
      wordsInput.value = "";
    }
  }

  /* Put a choice of words (a selection, or a whole part) into the form. */
  function fillForm(choice) {
    startInput.value = choice.start === null ? "" : String(choice.start);
    endInput.value = choice.end === null ? "" : String(choice.end);
    setPart(fromSelect, segmentIndex(choice.first));
    setPart(toSelect, segmentIndex(choice.last));
    if (wordsInput) {
      wordsInput.value = "";
    }
    return showPreview(choice.title || "You selected:", choice.words);
  }

  function partChoice(index) {
    var segment = document.getElementById("seg-" + index);
    var text = segment ? segment.querySelector(".segment-text") : null;
    if (!text) {
      return null;
    }
    var range = document.createRange();
    range.selectNodeContents(text);
    return {
      start: null,
      end: null,
      first: text,
      last: text,
      words: text.textContent,
      range: range,
      title: "You chose part " + (Number(index) + 1) + ":",
    };
  }

  /* ---------- The panel: the form fixed to the bottom of a narrow screen ---------- */

  var panelOpen = false;
  var opener = null;

  /* Scroll the chosen words into the room above the panel, if they are under it. */
  function keepInSight(range) {
    var box = range.getBoundingClientRect();
    var room = window.innerHeight - section.offsetHeight;
    var under = box.bottom - (room - GAP);
    if (under <= 0) {
      return;
    }
    // A choice taller than the room shows from its start.
    window.scrollBy({ top: Math.min(under, box.top - GAP), behavior: "instant" });
  }

  function openPanel(choice, from) {
    hideBar();
    var heading = fillForm(choice);
    markChoice(choice.range);
    opener = from;
    panelOpen = true;
    section.classList.add("quote-panel--open");
    section.setAttribute("role", "dialog");
    closeButton.hidden = false;
    setOverlay("bottom", section.offsetHeight);
    section.scrollTop = 0;
    heading.focus({ preventScroll: true });
    keepInSight(choice.range);
  }

  function closePanel(returnFocus) {
    if (!panelOpen) {
      return;
    }
    panelOpen = false;
    section.classList.remove("quote-panel--open");
    section.removeAttribute("role");
    closeButton.hidden = true;
    setOverlay("bottom", 0);
    unmarkChoice();
    var back = opener;
    opener = null;
    if (!returnFocus || !back) {
      return;
    }
    if (back === quoteButton && pending) {
      showBar(pending);
    }
    if (back.isConnected && !back.closest("[hidden]")) {
      back.focus();
    }
  }

  closeButton.addEventListener("click", function () {
    closePanel(true);
  });

  /*
   * Whatever takes focus in the panel is scrolled wholly into its sight, clear
   * of its heading: a browser scrolls only as far as a sliver of it showing.
   */
  var panelHead = section.querySelector(".quote-panel__head");
  section.addEventListener("focusin", function (event) {
    if (!panelOpen || event.target === section) {
      return;
    }
    var box = event.target.getBoundingClientRect();
    var panel = section.getBoundingClientRect();
    var top = panel.top + (panelHead ? panelHead.offsetHeight : 0) + GAP / 2;
    var bottom = panel.bottom - GAP / 2;
    if (box.bottom > bottom) {
      section.scrollTop += Math.min(box.bottom - bottom, box.top - top);
    } else if (box.top < top) {
      section.scrollTop -= top - box.top;
    }
  });

  /* ---------- The bar: what is selected, and "Quote these words" ---------- */

  var pending = null;

  /*
   * Bottom of the screen, unless the selected words are there: then the top,
   * so the bar never covers what a person is choosing.
   */
  function placeBar(range) {
    var box = range.getBoundingClientRect();
    var height = bar.offsetHeight;
    var atTop =
      box.bottom > window.innerHeight - height - GAP && box.top > height + GAP;
    bar.classList.toggle("selection-bar--top", atTop);
    setOverlay(atTop ? "top" : "bottom", height);
    setOverlay(atTop ? "bottom" : "top", 0);
  }

  function showBar(choice) {
    pending = choice;
    barWords.textContent = "“" + choice.words + "”";
    bar.hidden = false;
    placeBar(choice.range);
  }

  function hideBar() {
    if (bar.hidden) {
      return;
    }
    bar.hidden = true;
    setOverlay("top", 0);
    if (!panelOpen) {
      setOverlay("bottom", 0);
    }
  }

  function dismissBar() {
    var hadFocus = bar.contains(document.activeElement);
    var choice = pending;
    hideBar();
    pending = null;
    window.getSelection().removeAllRanges();
    if (hadFocus && choice) {
      // Back next to the words, where the selection was.
      var link = choice.first.closest(".segment").querySelector(".segment__quote-link");
      if (link) {
        link.focus();
      }
    }
  }

  quoteButton.addEventListener("click", function () {
    var choice = pending || currentChoice();
    if (choice) {
      openPanel(choice, quoteButton);
    }
  });

  dismissButton.addEventListener("click", dismissBar);

  /*
   * Did the last press land on the bar? Pressing its button takes the page's
   * selection away on a phone, and the bar must stay for the press to count.
   */
  var pressedBar = false;
  document.addEventListener(
    "pointerdown",
    function (event) {
      pressedBar = bar.contains(event.target);
    },
    true
  );

  /*
   * The selection is the truth; events only say when to read it. Nothing
   * waits on a timer: a slow phone whose selection settles late is read when
   * it settles.
   */
  document.addEventListener("selectionchange", function () {
    var choice = currentChoice();
    var beside = wide.matches || panelOpen;
    if (!choice) {
      var selection = window.getSelection();
      var gone = !selection || selection.isCollapsed || !selection.rangeCount;
      // Never hide the bar while it has focus (Escape or its own button puts it
      // away): a selection change that arrives late, after the quote panel
      // closed and gave focus back to "Quote these words", would take it away.
      if (gone && !beside && !pressedBar && !bar.contains(document.activeElement)) {
        hideBar();
        pending = null;
      }
      return;
    }
    if (beside) {
      // The form is in sight: fill it in, and leave focus where it is.
      var unchanged =
        startInput.value === String(choice.start) && endInput.value === String(choice.end);
      if (!(unchanged && !preview.hidden)) {
        fillForm(choice);
        if (panelOpen) {
          markChoice(choice.range);
        }
      }
      return;
    }
    showBar(choice);
  });

  /*
   * A mouse drag that began in the transcript ends wherever the button is let
   * go (often past the end of the line); where the form is beside the story,
   * focus then moves to the preview. A finger sends no such move: it may still
   * be on the handles. The timeout lets the browser finish its own handling
   * of the release first.
   */
  var dragging = false;
  transcript.addEventListener("pointerdown", function (event) {
    dragging = event.pointerType === "mouse" && event.button === 0;
  });
  document.addEventListener("pointerup", function (event) {
    if (!dragging || event.pointerType !== "mouse") {
      return;
    }
    dragging = false;
    window.setTimeout(function () {
      var choice = currentChoice();
      if (choice && wide.matches) {
        fillForm(choice).focus();
      }
    }, 0);
  });

  /* "Quote this part" links: choose the part without reloading the page. */
  transcript.addEventListener("click", function (event) {
    var link = event.target.closest(".segment__quote-link[data-segment]");
    if (!link) {
      return;
    }
    var choice = partChoice(link.getAttribute("data-segment"));
    if (!choice) {
      return;
    }
    event.preventDefault();
    if (wide.matches) {
      clearSelectionFields();
      var heading = fillForm(choice);
      heading.focus();
      heading.scrollIntoView({ block: "nearest" });
    } else {
      openPanel(choice, link);
    }
  });

  /* Escape closes the panel, or puts the bar away when it has focus. */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) {
      return;
    }
    if (panelOpen) {
      event.preventDefault();
      closePanel(true);
    } else if (!bar.hidden && bar.contains(document.activeElement)) {
      event.preventDefault();
      dismissBar();
    }
  });

  /* Turning a tablet round can put the form beside the story again. */
  wide.addEventListener("change", function () {
    if (wide.matches) {
      hideBar();
      closePanel(false);
    }
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
      showPreview("You selected:", words);
    }
  }
})();
