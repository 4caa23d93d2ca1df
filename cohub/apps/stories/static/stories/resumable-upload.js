// Sends a recording to the hub in pieces by the tus protocol (tus-js-client, installed
// from npm and served by the hub), so a dropped connection loses nothing: after a cut
// the client asks how much arrived and carries on from there. Once every byte is in,
// the form is posted with the upload's token instead of the file, and the hub adds
// the recording exactly as it adds one sent with the form (ADR 0019).
//
// Used by the "Add a recording" form (below) and by recorder.js. Without JavaScript,
// or without tus-js-client, the form sends the file itself as before.
(function () {
  "use strict";

  if (!window.tus || !window.tus.isSupported) {
    return;
  }

  const LOST =
    "The connection to the hub was lost, so the recording has not all been sent. " +
    "Nothing that arrived is lost. Check the connection, then press \u201cTry sending again\u201d.";

  function csrfToken(form) {
    const input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  // The hub answers a refusal (too big, no consent) in words a person can read.
  function refusalText(error) {
    const response = error && error.originalResponse;
    if (!response) {
      return "";
    }
    const status = response.getStatus();
    const body = (response.getBody() || "").trim();
    if (status >= 400 && status < 500 && body && body.length < 600 && body.charAt(0) !== "<") {
      return body;
    }
    return "";
  }

  function isRefusal(error) {
    const response = error && error.originalResponse;
    if (!response) {
      return false;
    }
    const status = response.getStatus();
    return status >= 400 && status < 500 && status !== 409 && status !== 423;
  }

  // The progress panel: the bar, its percent, and one status line that changes only
  // when the sending does (started, lost and retrying, sent), not for every percent.
  function Progress(root) {
    this.root = root;
    this.bar = root.querySelector("progress");
    this.percent = root.querySelector('[data-upload-field="percent"]');
    this.status = root.querySelector('[data-upload-field="status"]');
    this.problem = root.querySelector('[data-upload-field="problem"]');
    this.retry = root.querySelector('[data-upload-action="retry"]');
    this.cancel = root.querySelector('[data-upload-action="cancel"]');
  }

  Progress.prototype.say = function (text) {
    if (this.status.textContent !== text) {
      this.status.textContent = text;
    }
  };

  Progress.prototype.show = function (fraction) {
    const value = Math.floor(fraction * 100);
    this.root.hidden = false;
    this.bar.value = value;
    this.bar.textContent = value + "%";
    this.percent.textContent = value + "%";
  };

  Progress.prototype.fail = function (text) {
    this.problem.textContent = text;
    this.retry.hidden = false;
    this.cancel.hidden = false;
  };

  Progress.prototype.clearProblem = function () {
    this.problem.textContent = "";
    this.retry.hidden = true;
  };

  // Send ``file`` for the form; calls ``done(token)`` once every byte has arrived.
  // Returns an object with ``retry()`` and ``cancel()``.
  function send(form, file, storyteller, progress, done, failed) {
    let upload = null;
    progress.clearProblem();
    progress.show(0);
    progress.cancel.hidden = false;
    progress.say("Sending the recording. Keep this page open until it has all been sent.");

    upload = new window.tus.Upload(file, {
      endpoint: form.dataset.uploadEndpoint,
      chunkSize: Number(form.dataset.chunkSize) || Infinity,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      metadata: { filename: file.name, filetype: file.type || "", storyteller: storyteller },
      headers: { "X-CSRFToken": csrfToken(form) },
      onProgress: function (sent, total) {
        progress.show(total ? sent / total : 0);
      },
      onShouldRetry: function (error) {
        if (isRefusal(error)) {
          return false;
        }
        progress.say("The connection was lost. Trying again: nothing that arrived is lost.");
        return true;
      },
      onError: function (error) {
        const text = refusalText(error);
        progress.say(text ? "The recording was not sent." : "Sending has stopped.");
        if (text && isRefusal(error)) {
          progress.retry.hidden = true;
          progress.problem.textContent = text;
          progress.cancel.hidden = true;
        } else {
          progress.fail(LOST);
        }
        if (failed) {
          failed(text);
        }
      },
      onSuccess: function () {
        progress.show(1);
        progress.cancel.hidden = true;
        progress.say("Sent. Adding the recording now.");
        const parts = upload.url.split("/").filter(Boolean);
        done(parts[parts.length - 1]);
      },
    });

    // The same file cut off before (this page was closed or reloaded): carry on.
    upload
      .findPreviousUploads()
      .then(function (previous) {
        if (previous.length) {
          upload.resumeFromPreviousUpload(previous[0]);
        }
        upload.start();
      })
      .catch(function () {
        upload.start();
      });

    return {
      retry: function () {
        progress.clearProblem();
        progress.say("Sending the recording again from where it stopped.");
        upload.start();
      },
      cancel: function () {
        // Tell the hub to delete what arrived (tus termination).
        return upload.abort(true).catch(function () {});
      },
    };
  }

  window.cohubResumable = { send: send, Progress: Progress };

  // The "Add a recording" form: send the chosen file in pieces, then post the details.
  const form = document.querySelector("form[data-resumable-form]");
  if (!form) {
    return;
  }
  const fileInput = form.querySelector('input[type="file"][name="recording"]');
  const token = form.querySelector('input[name="upload"]');
  const chooser = form.querySelector('select[name="storyteller"]');
  const progress = new Progress(form.querySelector("[data-upload-progress]"));
  let sending = null;
  let unsent = false;

  window.addEventListener("beforeunload", function (event) {
    if (unsent) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  progress.retry.addEventListener("click", function () {
    if (sending) {
      sending.retry();
    }
  });
  progress.cancel.addEventListener("click", function () {
    if (sending) {
      sending.cancel();
      sending = null;
      unsent = false;
      progress.root.hidden = true;
      progress.clearProblem();
      progress.say("Sending was stopped, and what had arrived was deleted.");
    }
  });

  form.addEventListener("submit", function (event) {
    if (sending) {
      event.preventDefault();
      return;
    }
    // Nothing chosen, or the file already sent: the form goes as it is, and the hub
    // says what is missing.
    if (!fileInput || !fileInput.files.length || !token || token.value) {
      return;
    }
    if (!chooser || !chooser.value) {
      return;
    }
    event.preventDefault();
    unsent = true;
    sending = send(
      form,
      fileInput.files[0],
      chooser.value,
      progress,
      function (value) {
        unsent = false;
        token.value = value;
        // The file has been sent: the form carries only its token and the details.
        fileInput.value = "";
        fileInput.disabled = true;
        form.submit();
      },
      function (refusal) {
        if (refusal) {
          // Refused (too big, no consent): choose again; nothing is waiting to be sent.
          sending = null;
          unsent = false;
        }
      }
    );
  });
})();
