// Keeps a recorded story's "Writing it out" panel current without a reload
// (through cohub/live-status.js). Without JavaScript the panel says to
// reload. The role="status" line changes only when the state changes, so
// screen readers hear "Being written out now." once, not every percent.
(function () {
  "use strict";

  const root = document.getElementById("recording-progress");
  if (!root || root.dataset.finished === "true" || !window.cohubLiveStatus) {
    return;
  }

  window.cohubLiveStatus(root, "recording", function (data, ui) {
    const bar = document.getElementById("recording-percent");
    if (bar) {
      bar.value = data.percent;
      bar.textContent = data.percent + "%";
    }
    ui.setText("percent", data.percent + "%");
    ui.setText("message", data.message || (data.state === "waiting" ? "Waiting for its turn." : ""));
    ui.setText("summary", data.summary);
    root.dataset.state = data.state;
    ui.show("working", !data.finished);
    ui.show("ready", data.state === "done");
    ui.show("failed", data.state === "failed");
    if (data.state === "failed") {
      ui.setText("error", data.error);
    }
  });
})();
