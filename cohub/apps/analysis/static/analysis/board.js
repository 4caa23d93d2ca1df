/*
 * The workshop board, live (docs/adr/0022-workshop-board-live.md).
 *
 * Without this file the board is a page of small forms that post and come
 * back. With it:
 * - every board form is sent with fetch; a refusal (someone moved the quote
 *   first) is shown in the alert region and nothing typed is lost;
 * - the page asks the feed every 1.5 s (every ten while the tab is hidden)
 *   for what changed after the newest event it has seen, and puts each
 *   quote, theme and note it names where the server says it is now; it
 *   sends the ETag of the state it holds, so "nothing changed" is a bodiless
 *   304 the server answers from one small query;
 * - the others' changes are said in a polite live region, a few at a time,
 *   and focus stays where it is (it follows a card that moves);
 * - a card can be dragged onto a column, which submits its "Move to…" form;
 * - after each change of yours an Undo button (then Redo) waits at the top of
 *   the board; it is the coding log's undo, sent the same way as the forms.
 */
(function () {
  "use strict";

  var board = document.getElementById("board-columns");
  if (!board) {
    return;
  }
  var live = document.getElementById("board-live");
  var alertBox = document.getElementById("board-error");
  var undoBox = document.getElementById("board-undo");
  var last = parseInt(board.getAttribute("data-last"), 10) || 0;
  var epoch = board.getAttribute("data-epoch");
  var etag = board.getAttribute("data-etag") || "";
  var pollMs = parseInt(board.getAttribute("data-poll-ms"), 10) || 1500;
  var hiddenMs = parseInt(board.getAttribute("data-poll-hidden-ms"), 10) || 10000;
  var themes = null; // [{id, name}] from the latest feed answer; null until one has names
  var timer = null;
  var inflight = null;
  var again = false;

  function say(text) {
    if (text) {
      live.textContent = text;
    }
  }

  function sayChanges(lines) {
    if (!lines || !lines.length) {
      return;
    }
    if (lines.length <= 3) {
      say(lines.join(" "));
    } else {
      say(lines.length + " changes by others. The latest: " + lines[lines.length - 1]);
    }
  }

  function fromHtml(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function column(key) {
    return board.querySelector('[data-column="' + CSS.escape(String(key)) + '"]');
  }

  function refreshEmpty() {
    board.querySelectorAll("[data-column]").forEach(function (col) {
      var empty = col.querySelector("[data-empty]");
      if (empty) {
        empty.hidden = !!col.querySelector("[data-cards] > li");
      }
    });
  }

  function rebuildMenus() {
    if (!themes) {
      return;
    }
    board.querySelectorAll("select[data-theme-menu]").forEach(function (select) {
      if (select === document.activeElement) {
        return; // never change a menu under someone's hands; the next change will
      }
      var own = select.getAttribute("data-own");
      var chosen = select.value;
      var options = [];
      if (select.getAttribute("data-theme-menu") === "move" && own !== "none") {
        options.push(["none", "Not sorted yet"]);
      }
      themes.forEach(function (theme) {
        if (String(theme.id) !== own) {
          options.push([String(theme.id), theme.name]);
        }
      });
      select.textContent = "";
      options.forEach(function (pair) {
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[1];
        select.appendChild(option);
      });
      if (options.some(function (pair) { return pair[0] === chosen; })) {
        select.value = chosen;
      }
    });
  }

  function placeColumn(node) {
    var name = (node.getAttribute("data-name") || "").toLocaleLowerCase();
    var columns = board.querySelectorAll("[data-column]");
    for (var i = 0; i < columns.length; i += 1) {
      var other = columns[i];
      if (other.getAttribute("data-column") === "none") {
        continue;
      }
      if ((other.getAttribute("data-name") || "").toLocaleLowerCase() > name) {
        board.insertBefore(node, other);
        return;
      }
    }
    board.appendChild(node);
  }

  function applyTheme(change) {
    var existing = column(change.id);
    if (!change.active) {
      if (existing) {
        if (existing.contains(document.activeElement)) {
          document.querySelector("h1").setAttribute("tabindex", "-1");
          document.querySelector("h1").focus();
        }
        existing.remove();
      }
      return;
    }
    if (!existing) {
      placeColumn(fromHtml(change.html));
      return;
    }
    existing.setAttribute("data-name", change.name);
    existing.querySelectorAll("[data-theme-name]").forEach(function (el) {
      el.textContent = change.name;
    });
    var rename = existing.querySelector('input[name="name"]');
    if (rename && rename !== document.activeElement) {
      rename.value = change.name;
    }
    var cards = existing.querySelector("[data-cards]");
    if (cards) {
      cards.setAttribute("aria-label", "Quotes in " + change.name);
    }
  }

  function applyQuote(change) {
    var old = board.querySelectorAll('[data-quote="' + change.id + '"]');
    var focusColumn = null;
    var focusName = null;
    old.forEach(function (card) {
      if (card.contains(document.activeElement)) {
        focusColumn = card.getAttribute("data-from");
        focusName = document.activeElement === card ? null : document.activeElement.getAttribute("name");
      }
      card.remove();
    });
    var placed = [];
    change.placements.forEach(function (placement) {
      var col = column(placement.column);
      if (!col) {
        return;
      }
      var card = fromHtml(placement.html);
      col.querySelector("[data-cards]").appendChild(card);
      placed.push(card);
    });
    if (focusColumn !== null) {
      var target = placed.filter(function (c) { return c.getAttribute("data-from") === focusColumn; })[0] || placed[0];
      if (target) {
        var control = focusName ? target.querySelector('[name="' + focusName + '"]') : null;
        (control || target).focus();
      }
    }
  }

  function applyNote(change) {
    var old = board.querySelector('[data-note="' + change.id + '"]');
    var hadFocus = old && old.contains(document.activeElement);
    if (old) {
      old.remove();
    }
    if (!change.html) {
      return;
    }
    var col = column(change.column) || column("none");
    var note = fromHtml(change.html);
    col.querySelector("[data-notes]").appendChild(note);
    if (hadFocus) {
      note.focus();
    }
  }

  var pendingRound = null;

  function typingIn(container) {
    // Someone is writing in a box there: do not take it away from under them.
    var el = document.activeElement;
    return (
      container.contains(el) &&
      (el.tagName === "TEXTAREA" || el.tagName === "INPUT") &&
      el.value !== el.defaultValue
    );
  }

  function applyRound(round) {
    var slot = document.getElementById("board-round-slot");
    if (!round || !slot) {
      return;
    }
    var section = document.getElementById("board-round");
    var same =
      section &&
      section.getAttribute("data-round") === String(round.id || "") &&
      section.getAttribute("data-open") === (round.open ? "1" : "0");
    if (same) {
      var notes = document.getElementById("round-notes");
      var focusedId = notes && notes.contains(document.activeElement) ? document.activeElement.id : null;
      notes.replaceWith(fromHtml(round.notes_html));
      var refocus = focusedId && document.getElementById(focusedId);
      if (refocus) {
        refocus.focus();
      }
      pendingRound = null;
    } else if (typingIn(slot)) {
      pendingRound = round; // shown once they have sent or left what they are writing
    } else {
      var hadFocus = slot.contains(document.activeElement);
      slot.innerHTML = round.html;
      pendingRound = null;
      var heading = document.getElementById("round-heading") || document.getElementById("round-open-heading");
      if (hadFocus && heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus(); // the control they were on is gone; stay in the same place
      }
    }
  }

  function apply(data) {
    if (pendingRound && !typingIn(document.getElementById("board-round-slot"))) {
      applyRound(pendingRound);
    }
    applyRound(data.round);
    if (data.themes && (data.themes.length || data.changed_themes.length)) {
      themes = data.themes;
    }
    data.changed_themes.forEach(applyTheme);
    data.quotes.forEach(applyQuote);
    data.notes.forEach(applyNote);
    if (data.changed_themes.length) {
      rebuildMenus();
    }
    refreshEmpty();
    sayChanges(data.said);
  }

  function reloadColumns() {
    // Consent changed, or a story went: load the columns again instead of patching them.
    return fetch(board.getAttribute("data-page"), { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("board-columns");
        if (!fresh) {
          return;
        }
        var focusedId = document.activeElement && document.activeElement.id;
        board.innerHTML = fresh.innerHTML;
        last = parseInt(fresh.getAttribute("data-last"), 10) || last;
        epoch = fresh.getAttribute("data-epoch");
        etag = fresh.getAttribute("data-etag") || "";
        var refocus = focusedId && document.getElementById(focusedId);
        if (refocus) {
          refocus.focus();
        }
        refreshEmpty();
      });
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, delay);
  }

  function poll() {
    if (inflight) {
      again = true; // ask again as soon as this answer is in; callers wait for that one
      return inflight;
    }
    window.clearTimeout(timer);
    var url = board.getAttribute("data-feed") + "?after=" + last;
    var headers = { Accept: "application/json" };
    if (etag) {
      headers["If-None-Match"] = etag;
    }
    // no-store: the browser neither keeps the answer nor answers from a copy, so the
    // server's 304 (nothing changed since the state this page holds) reaches us as it is.
    inflight = fetch(url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (response) {
        if (response.status === 304) {
          return null;
        }
        if (!response.ok) {
          throw new Error("feed " + response.status);
        }
        var tag = response.headers.get("ETag");
        return response.json().then(function (data) {
          data.etag = tag || "";
          return data;
        });
      })
      .then(function (data) {
        if (data === null) {
          return;
        }
        if (data.epoch !== epoch) {
          return reloadColumns();
        }
        apply(data);
        last = data.last;
        etag = data.etag;
        if (data.more) {
          again = true;
        }
      })
      .catch(function () {
        // Offline for a moment: the next poll asks from the same event, so nothing is missed.
      })
      .then(function () {
        inflight = null;
        if (again) {
          again = false;
          return poll();
        }
        schedule(document.hidden ? hiddenMs : pollMs);
      });
    return inflight;
  }

  function send(form) {
    alertBox.textContent = "";
    var body = new FormData(form);
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok && data.ok, data: data };
        });
      })
      .then(function (answer) {
        if (!answer.ok) {
          var p = document.createElement("p");
          p.className = "panel panel--error";
          p.textContent = answer.data.error || "That did not work. Load the page again and retry.";
          alertBox.appendChild(p);
          return poll(); // show where things are now
        }
        // Undo for what was just done (Redo after an undo); the server draws the offer.
        if (undoBox) {
          undoBox.innerHTML = answer.data.offer || "";
        }
        if (form.querySelector("textarea")) {
          form.querySelector("textarea").value = "";
        }
        if (form.classList.contains("board-new-theme")) {
          form.querySelector("input[name=name]").value = "";
        }
        return poll().then(function () {
          say(answer.data.said);
          var target = answer.data.focus && document.getElementById(answer.data.focus);
          if (target) {
            target.focus();
          }
        });
      })
      .catch(function () {
        var p = document.createElement("p");
        p.className = "panel panel--error";
        p.textContent = "The hub could not be reached, so nothing was changed. Check the connection and try again.";
        alertBox.appendChild(p);
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-board-form")) {
      return;
    }
    event.preventDefault();
    send(form);
  });

  // Drag and drop is a shortcut for the "Move to…" menu on each card.
  var dragged = null;
  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (!card) {
      return;
    }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-quote"));
  });
  board.addEventListener("dragover", function (event) {
    if (dragged && event.target.closest("[data-column]")) {
      event.preventDefault();
    }
  });
  board.addEventListener("drop", function (event) {
    var col = event.target.closest("[data-column]");
    if (!dragged || !col) {
      return;
    }
    event.preventDefault();
    var key = col.getAttribute("data-column");
    var card = dragged;
    dragged = null;
    if (key === card.getAttribute("data-from")) {
      return;
    }
    var form = card.querySelector("form.board-move");
    var select = form.querySelector("select");
    if (!Array.prototype.some.call(select.options, function (o) { return o.value === key; })) {
      var option = document.createElement("option");
      option.value = key;
      select.appendChild(option);
    }
    select.value = key;
    send(form);
  });
  board.addEventListener("dragend", function () {
    dragged = null;
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      poll();
    }
  });

  refreshEmpty();
  schedule(pollMs);
})();
