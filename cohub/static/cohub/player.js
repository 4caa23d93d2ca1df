/*
 * player.js: listen to a recorded story on its page (ADR 0020).
 *
 * Without this file every time beside a part is a link that opens the
 * recording at that moment, and "Play this quote" opens its clip's span
 * (media fragments, #t=start,end). With it:
 *
 * - a part's time (a link: click it, or Enter on it) plays the page's own
 *   player from that part; focus stays on the link, nothing scrolls;
 * - "Play this quote" plays from the clip's start and stops at its end;
 * - while it plays, the part being spoken is marked (class segment--current
 *   and aria-current="true"), and "Now playing: part N" under the player
 *   says which (its line is always there, so nothing below it moves). The page scrolls to keep that part in view only when the
 *   person ticked "Keep the part being spoken in view", and even then never
 *   takes focus or pulls the page back while they are choosing words.
 *
 * Hooks: #story-audio, #player-now, #player-follow, li.segment[data-start-ms]
 * (data-end-ms), and any [data-play-from] (ms) with an optional data-play-to.
 */
(function () {
  "use strict";

  var audio = document.getElementById("story-audio");
  if (!audio) {
    return;
  }
  var now = document.getElementById("player-now");
  var follow = document.getElementById("player-follow");
  var parts = Array.prototype.slice.call(
    document.querySelectorAll("li.segment[data-start-ms]")
  );
  var starts = parts.map(function (part) {
    return Number(part.getAttribute("data-start-ms"));
  });
  var stopAt = null;
  var current = null;

  function partAt(ms) {
    // The last part that starts at or before ms, if ms is before its end.
    var low = 0;
    var high = starts.length - 1;
    var found = -1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (starts[middle] <= ms) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found < 0) {
      return null;
    }
    var part = parts[found];
    var end = part.getAttribute("data-end-ms");
    if (end !== null && ms > Number(end) + 250) {
      return null;
    }
    return part;
  }

  function choosingWords() {
    var selection = window.getSelection ? window.getSelection() : null;
    return selection && !selection.isCollapsed;
  }

  function mark(part) {
    if (part === current) {
      return;
    }
    if (current) {
      current.classList.remove("segment--current");
      current.removeAttribute("aria-current");
    }
    current = part;
    if (!part) {
      if (now) {
        now.textContent = "";
      }
      return;
    }
    part.classList.add("segment--current");
    part.setAttribute("aria-current", "true");
    if (now) {
      var number = Number(part.getAttribute("data-index")) + 1;
      now.textContent = "Now playing: part " + number;
    }
    if (follow && follow.checked && !choosingWords()) {
      part.scrollIntoView({ block: "nearest" });
    }
  }

  function update() {
    var ms = audio.currentTime * 1000;
    if (stopAt !== null && ms >= stopAt) {
      stopAt = null;
      audio.pause();
    }
    mark(partAt(ms));
  }

  function playFrom(fromMs, toMs) {
    stopAt = toMs;
    audio.currentTime = fromMs / 1000;
    var playing = audio.play();
    if (playing && playing.catch) {
      playing.catch(function () {
        /* The browser refused to play (no sound device); the controls still work. */
      });
    }
    update();
  }

  document.addEventListener("click", function (event) {
    var control = event.target.closest ? event.target.closest("[data-play-from]") : null;
    if (!control) {
      return;
    }
    event.preventDefault();
    var to = control.getAttribute("data-play-to");
    playFrom(Number(control.getAttribute("data-play-from")), to === null ? null : Number(to));
  });

  audio.addEventListener("timeupdate", update);
  audio.addEventListener("seeked", update);
  audio.addEventListener("seeking", function () {
    // Someone moved the player's own slider: a quote's stop no longer applies.
    if (stopAt !== null && audio.currentTime * 1000 > stopAt) {
      stopAt = null;
    }
  });
  if (follow) {
    follow.addEventListener("change", function () {
      if (follow.checked && current) {
        current.scrollIntoView({ block: "nearest" });
      }
    });
  }
})();
