// Keeps the job status page current by polling its JSON twin.
// The role="status" line changes only when the stage changes, so screen
// readers hear "Running.", "Done." and so on, not every percent.
(function () {
  "use strict";

  const root = document.getElementById("job-status");
  if (!root || root.dataset.finished === "true") {
    return;
  }
  const url = root.dataset.statusUrl;
  const interval = 3000;
  let failures = 0;

  function field(name) {
    return root.querySelector('[data-job-field="' + name + '"]');
  }

  function setText(name, value) {
    const el = field(name);
    if (el && el.textContent !== value) {
      el.textContent = value;
    }
  }

  function show(section, visible) {
    const el = root.querySelector('[data-job-section="' + section + '"]');
    if (el) {
      el.hidden = !visible;
    }
  }

  function update(data) {
    const bar = document.getElementById("job-progress");
    bar.value = data.progress;
    bar.textContent = data.progress + "%";
    setText("progress_text", data.progress + "%");
    setText("status_label", data.status_label);
    setText("progress_message", data.progress_message);
    setText("summary", data.summary);
    document.title = data.kind_label + ": " + data.status_label;

    show("succeeded", data.status === "succeeded");
    show("failed", data.status === "failed");
    if (data.status === "failed") {
      setText("error_plain", data.error_plain);
      setText("error", data.error);
      show("retry", data.can_retry);
    }
    const link = field("result_link");
    if (link && data.result_url) {
      link.href = data.result_url;
      show("result_link", true);
    }
    root.dataset.finished = data.finished ? "true" : "false";
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        update(data);
        if (!data.finished) {
          window.setTimeout(poll, interval);
        }
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, interval * Math.pow(2, failures));
        } else {
          setText("summary", "Stopped checking for updates. Reload the page to see the latest.");
        }
      });
  }

  window.setTimeout(poll, interval);
})();
