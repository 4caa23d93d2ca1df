// Record a story in the browser (MediaRecorder), listen back, and send it to the hub
// in pieces (resumable-upload.js), then save it with its details (ADR 0019).
//
// What a person sees: a timer, a sound level meter (Web Audio), Start, Pause, Carry
// on, Stop, then the recording to listen back to, with Send or Discard. Discarding
// asks first, and so does leaving the page with a recording that has not been sent.
// Screen readers hear one status line when something changes (started, paused,
// stopped, sent), never the timer ticking. Where the browser cannot record, or the
// microphone is refused, the page says so plainly and offers the file upload.
(function () {
  "use strict";

  const form = document.querySelector("form[data-recorder]");
  if (!form) {
    return;
  }
  const panel = form.querySelector("[data-recorder-panel]");
  const chooser = form.querySelector('select[name="storyteller"]');
  const token = form.querySelector('input[name="upload"]');
  const consentBox = form.querySelector("[data-recorder-consent]");
  const consentLink = form.querySelector("[data-recorder-consent-link]");
  const dialog = document.querySelector("[data-recorder-dialog]");
  const refusalsScript = document.getElementById("recorder-refusals");
  const refusals = refusalsScript ? JSON.parse(refusalsScript.textContent) : {};

  function field(name) {
    return form.querySelector('[data-recorder-field="' + name + '"]');
  }
  function button(action) {
    return document.querySelector('[data-recorder-action="' + action + '"]');
  }
  function section(name) {
    return form.querySelector('[data-recorder-section="' + name + '"]');
  }

  const clock = field("time");
  const stateText = field("state");
  const status = field("status");
  const problem = field("problem");
  const playback = field("playback");
  const meter = document.getElementById("recorder-level");
  // The longest recording the hub takes (COHUB_RECORDING_MAX_MINUTES): stop there.
  const maxMs = (Number(form.dataset.maxSeconds) || 0) * 1000;
  const maxWords = form.dataset.maxLength || "";

  function say(text) {
    if (status.textContent !== text) {
      status.textContent = text;
    }
  }
  function complain(text, offerFile) {
    problem.textContent = text;
    section("fallback").hidden = !offerFile;
  }

  panel.hidden = false;

  const canRecord =
    !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia) &&
    typeof window.MediaRecorder === "function" &&
    !!window.cohubResumable;
  if (!canRecord) {
    button("start").disabled = true;
    complain(
      window.isSecureContext === false
        ? "Recording needs a secure connection: open this page at an address that starts " +
            "with https://, or add a recording file instead."
        : "This browser cannot record sound. You can record on the phone's own sound " +
            "recorder and add the recording file instead.",
      true
    );
    return;
  }

  // --- Whose story: only those who agreed that we record it --------------------

  function refusalFor(value) {
    return value ? refusals[value] || "" : "";
  }

  function showConsent() {
    const refusal = refusalFor(chooser ? chooser.value : "");
    consentBox.hidden = !refusal;
    field("consent").textContent = refusal
      ? refusal + " So it cannot be recorded here until they do."
      : "";
    if (consentLink && refusal) {
      consentLink.href = consentLink.dataset.hrefTemplate.replace("/0/", "/" + chooser.value + "/");
    }
    button("start").disabled = !!refusal && state === "idle";
  }

  // --- Recording ------------------------------------------------------------------

  let state = "idle"; // idle, starting, recording, paused, stopped, sending, sent
  let stream = null;
  let recorder = null;
  let pieces = [];
  let blob = null;
  let startedAt = 0;
  let elapsedBefore = 0; // milliseconds recorded before the latest pause
  let ticker = null;
  let audioContext = null;
  let analyser = null;
  let levelFrame = null;
  let sending = null;

  function elapsed() {
    return elapsedBefore + (state === "recording" ? Date.now() - startedAt : 0);
  }

  function clockText(ms) {
    const seconds = Math.floor(ms / 1000);
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    return hours ? hours + ":" + String(minutes).padStart(2, "0") + ":" + rest : minutes + ":" + rest;
  }

  function spoken(ms) {
    const seconds = Math.round(ms / 1000);
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    const parts = [];
    if (minutes) {
      parts.push(minutes + (minutes === 1 ? " minute" : " minutes"));
    }
    if (rest || !minutes) {
      parts.push(rest + (rest === 1 ? " second" : " seconds"));
    }
    return parts.join(" ");
  }

  function tick() {
    const ms = elapsed();
    const text = clockText(ms);
    if (clock.textContent !== text) {
      clock.textContent = text;
    }
    if (maxMs && state === "recording" && ms >= maxMs) {
      stop();
      complain(
        "Recording stopped at " + maxWords + ", the longest a recording can be here. " +
          "Send this part, then record the rest as another story.",
        false
      );
    }
  }

  // Keep a phone's screen on while recording: some phones stop the microphone
  // when the screen locks. Not every browser can; recording works without it.
  let wakeLock = null;
  function keepAwake(on) {
    if (on && !wakeLock && navigator.wakeLock && document.visibilityState === "visible") {
      navigator.wakeLock
        .request("screen")
        .then(function (lock) {
          wakeLock = lock;
          lock.addEventListener("release", function () {
            wakeLock = null;
          });
        })
        .catch(function () {});
    } else if (!on && wakeLock) {
      wakeLock.release().catch(function () {});
      wakeLock = null;
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && (state === "recording" || state === "paused")) {
      keepAwake(true);
    }
  });

  function show(names) {
    ["start", "pause", "resume", "stop"].forEach(function (name) {
      button(name).hidden = names.indexOf(name) === -1;
    });
  }

  function setState(next, words) {
    state = next;
    stateText.textContent = words;
    panel.dataset.state = next;
  }

  function watchLevel() {
    const samples = new Uint8Array(analyser.fftSize);
    let last = 0;
    function frame(now) {
      levelFrame = window.requestAnimationFrame(frame);
      if (now - last < 100) {
        return;
      }
      last = now;
      analyser.getByteTimeDomainData(samples);
      let peak = 0;
      for (let i = 0; i < samples.length; i++) {
        peak = Math.max(peak, Math.abs(samples[i] - 128));
      }
      meter.value = state === "recording" ? Math.min(100, Math.round((peak / 128) * 140)) : 0;
    }
    levelFrame = window.requestAnimationFrame(frame);
  }

  function stopListening() {
    if (levelFrame) {
      window.cancelAnimationFrame(levelFrame);
      levelFrame = null;
    }
    if (audioContext) {
      audioContext.close().catch(function () {});
      audioContext = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
      stream = null;
    }
    meter.value = 0;
  }

  function mimeType() {
    const kinds = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];
    for (let i = 0; i < kinds.length; i++) {
      if (window.MediaRecorder.isTypeSupported && window.MediaRecorder.isTypeSupported(kinds[i])) {
        return kinds[i];
      }
    }
    return "";
  }

  function microphoneProblem(error) {
    const name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return (
        "The browser was not allowed to use the microphone. To record, allow the " +
        "microphone for this site in the browser's settings, then press \u201cStart recording\u201d " +
        "again. Or add a recording file instead."
      );
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No microphone was found on this phone or computer. Plug one in and try again, or add a recording file instead.";
    }
    if (name === "NotReadableError") {
      return "The microphone is being used by another app. Close that app and try again, or add a recording file instead.";
    }
    return "The microphone could not be started. Try again, or add a recording file instead.";
  }

  function start() {
    const refusal = refusalFor(chooser ? chooser.value : "");
    if (chooser && !chooser.value) {
      complain("Choose whose story this is first.", false);
      chooser.focus();
      return;
    }
    if (refusal) {
      complain(refusal + " So it cannot be recorded here until they do.", false);
      return;
    }
    complain("", false);
    setState("starting", "Starting");
    button("start").disabled = true;
    navigator.mediaDevices
      .getUserMedia({
        // Speech for a transcript, not a call: the phone's call clean-up would cut words.
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      })
      .then(function (media) {
        stream = media;
        const type = mimeType();
        recorder = type ? new window.MediaRecorder(media, { mimeType: type }) : new window.MediaRecorder(media);
        pieces = [];
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) {
            pieces.push(event.data);
          }
        });
        recorder.addEventListener("stop", finished);
        const Context = window.AudioContext || window.webkitAudioContext;
        if (Context) {
          audioContext = new Context();
          analyser = audioContext.createAnalyser();
          analyser.fftSize = 1024;
          audioContext.createMediaStreamSource(media).connect(analyser);
          watchLevel();
        }
        elapsedBefore = 0;
        startedAt = Date.now();
        recorder.start(1000);
        setState("recording", "Recording");
        keepAwake(true);
        ticker = window.setInterval(tick, 250);
        tick();
        show(["pause", "stop"]);
        button("start").disabled = false;
        say("Recording. Press Stop when you have finished.");
        button("pause").focus();
      })
      .catch(function (error) {
        stopListening();
        setState("idle", "Not started");
        button("start").disabled = false;
        complain(microphoneProblem(error), true);
      });
  }

  function pause() {
    recorder.pause();
    elapsedBefore = elapsed();
    setState("paused", "Paused");
    tick();
    show(["resume", "stop"]);
    say("Paused at " + spoken(elapsedBefore) + ". Press \u201cCarry on recording\u201d to go on.");
    button("resume").focus();
  }

  function resume() {
    recorder.resume();
    startedAt = Date.now();
    setState("recording", "Recording");
    show(["pause", "stop"]);
    say("Recording again.");
    button("pause").focus();
  }

  function stop() {
    elapsedBefore = elapsed();
    keepAwake(false);
    setState("stopped", "Stopped");
    window.clearInterval(ticker);
    tick();
    show([]);
    recorder.stop(); // "stop" fires once the last piece is in: finished()
  }

  function finished() {
    stopListening();
    const type = recorder.mimeType || (pieces[0] && pieces[0].type) || "audio/webm";
    blob = new Blob(pieces, { type: type });
    pieces = [];
    if (playback.src) {
      URL.revokeObjectURL(playback.src);
    }
    playback.src = URL.createObjectURL(blob);
    section("review").hidden = false;
    say(
      "Stopped. You recorded " + spoken(elapsedBefore) + ". Listen back, then send it or discard it."
    );
    button("send").focus();
  }

  function reset() {
    keepAwake(false);
    if (recorder && recorder.state !== "inactive") {
      recorder.removeEventListener("stop", finished);
      recorder.stop();
    }
    stopListening();
    window.clearInterval(ticker);
    recorder = null;
    blob = null;
    pieces = [];
    if (playback.src) {
      URL.revokeObjectURL(playback.src);
      playback.removeAttribute("src");
      playback.load();
    }
    elapsedBefore = 0;
    setState("idle", "Not started");
    tick();
    section("review").hidden = true;
    show(["start"]);
  }

  // --- Discard, and leaving the page ---------------------------------------------

  function unsent() {
    return ["starting", "recording", "paused", "stopped", "sending"].indexOf(state) !== -1;
  }

  window.addEventListener("beforeunload", function (event) {
    if (unsent()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function askDiscard() {
    if (dialog && typeof dialog.showModal === "function") {
      dialog.showModal();
      button("discard-cancel").focus();
    } else if (window.confirm("Discard this recording? It has not been sent, and cannot be got back.")) {
      discard();
    }
  }

  function discard() {
    if (dialog && dialog.open) {
      dialog.close();
    }
    reset();
    say("The recording was discarded.");
    button("start").focus();
  }

  // --- Sending --------------------------------------------------------------------

  function extension(type) {
    if (type.indexOf("ogg") !== -1) {
      return "ogg";
    }
    if (type.indexOf("mp4") !== -1) {
      return "m4a";
    }
    return "webm";
  }

  function send() {
    const when = new Date();
    const stamp =
      when.getFullYear() +
      "-" + String(when.getMonth() + 1).padStart(2, "0") +
      "-" + String(when.getDate()).padStart(2, "0") +
      " " + String(when.getHours()).padStart(2, "0") +
      "." + String(when.getMinutes()).padStart(2, "0");
    const file = new File([blob], "Recording " + stamp + "." + extension(blob.type), {
      type: blob.type,
      lastModified: when.getTime(),
    });
    setState("sending", "Sending");
    section("review").hidden = true;
    const progress = new window.cohubResumable.Progress(form.querySelector("[data-upload-progress]"));
    progress.retry.onclick = function () {
      if (sending) {
        sending.retry();
      }
    };
    progress.cancel.onclick = function () {
      if (sending) {
        sending.cancel();
        sending = null;
      }
      progress.root.hidden = true;
      progress.clearProblem();
      // Not sent after all: it can be listened to, sent or discarded again.
      setState("stopped", "Stopped");
      section("review").hidden = false;
      say("Sending was stopped. The recording is still here: send it again or discard it.");
    };
    sending = window.cohubResumable.send(
      form,
      file,
      chooser ? chooser.value : "",
      progress,
      function (value) {
        setState("sent", "Sent");
        token.value = value;
        form.submit();
      },
      function (refusal) {
        if (refusal) {
          sending = null;
          setState("stopped", "Not sent");
          section("review").hidden = false;
        }
      }
    );
  }

  // --- Wiring ---------------------------------------------------------------------

  button("start").addEventListener("click", start);
  button("pause").addEventListener("click", pause);
  button("resume").addEventListener("click", resume);
  button("stop").addEventListener("click", stop);
  button("send").addEventListener("click", send);
  button("discard").addEventListener("click", askDiscard);
  button("discard-confirm").addEventListener("click", discard);
  button("discard-cancel").addEventListener("click", function () {
    dialog.close();
    button("discard").focus();
  });
  if (chooser) {
    chooser.addEventListener("change", showConsent);
  }
  showConsent();
  show(["start"]);
})();
