// Keeps the job status page current (through cohub/live-status.js). The
// role="status" line changes only when the stage changes, so screen readers
// hear "Running.", "Done." and so on, not every percent.
(function () {
  "use strict";

  const root = document.getElementById("job-status");
  if (!root || root.dataset.finished === "true" || !window.cohubLiveStatus) {
    return;
  }

  window.cohubLiveStatus(root, "job", function (data, ui) {
    const bar = document.getElementById("job-progress");
    bar.value = data.progress;
    bar.textContent = data.progress + "%";
    ui.setText("progress_text", data.progress + "%");
    ui.setText("status_label", data.status_label);
    ui.setText("progress_message", data.progress_message);
    ui.setText("summary", data.summary);
    document.title = data.kind_label + ": " + data.status_label;

    ui.show("succeeded", data.status === "succeeded");
    ui.show("failed", data.status === "failed");
    if (data.status === "failed") {
      ui.setText("error_plain", data.error_plain);
      ui.setText("error", data.error);
      ui.show("retry", data.can_retry);
    }
    const link = ui.field("result_link");
    if (link && data.result_url) {
      link.href = data.result_url;
      ui.show("result_link", true);
    }
    root.dataset.finished = data.finished ? "true" : "false";
  });
})();
