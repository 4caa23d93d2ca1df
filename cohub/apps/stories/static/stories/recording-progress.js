// Keeps a recorded story's "Writing it out" panel current without a reload,
// by polling its permission-checked JSON. Without JavaScript the panel says
// to reload. The role="status" line changes only when the state changes, so
// screen readers hear "Being written out now." once, not every percent.
(function () {
  "use strict";

  const root = document.getElementById("recording-progress");
  if (!root || root.dataset.finished === "true") {
    return;
  }
  const url = root.dataset.statusUrl;
  const interval = 3000;
  let failures = 0;

  function field(name) {
    return root.querySelector('[data-recording-field="' + name + '"]');
  }

  function setText(name, value) {
    const el = field(name);
    if (el && el.textContent !== value) {
      el.textContent = value;
    }
  }

  function show(section, visible) {
    const el = root.querySelector('[data-recording-section="' + section + '"]');
    if (el) {
      el.hidden = !visible;
    }
  }

  function update(data) {
    const bar = document.getElementById("recording-percent");
    if (bar) {
      bar.value = data.percent;
      bar.textContent = data.percent + "%";
    }
    setText("percent", data.percent + "%");
    setText("message", data.message || (data.state === "waiting" ? "Waiting for its turn." : ""));
    setText("summary", data.summary);
    root.dataset.state = data.state;
    show("working", !data.finished);
    show("ready", data.state === "done");
    show("failed", data.state === "failed");
    if (data.state === "failed") {
      setText("error", data.error);
    }
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
