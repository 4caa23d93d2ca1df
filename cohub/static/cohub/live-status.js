// One way for a status panel to keep itself current without a reload: ask
// its permission-checked JSON every few seconds until the work has finished,
// back off when the server does not answer, and after a few failures say so
// in the panel's summary instead of asking for ever.
//
// cohubLiveStatus(root, name, update): root carries data-status-url; its
// parts are marked data-<name>-field and data-<name>-section. update(data,
// ui) gets each answer, with ui.setText(field, text) (it writes only when the
// text changes, so a role="status" line is announced once per stage, not on
// every percent) and ui.show(section, visible).
(function () {
  "use strict";

  window.cohubLiveStatus = function (root, name, update) {
    const url = root.dataset.statusUrl;
    const interval = 3000;
    let failures = 0;

    function field(part) {
      return root.querySelector("[data-" + name + '-field="' + part + '"]');
    }

    const ui = {
      field: field,
      setText: function (part, value) {
        const el = field(part);
        if (el && el.textContent !== value) {
          el.textContent = value;
        }
      },
      show: function (section, visible) {
        const el = root.querySelector("[data-" + name + '-section="' + section + '"]');
        if (el) {
          el.hidden = !visible;
        }
      },
    };

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
          update(data, ui);
          if (!data.finished) {
            window.setTimeout(poll, interval);
          }
        })
        .catch(function () {
          failures += 1;
          if (failures < 5) {
            window.setTimeout(poll, interval * Math.pow(2, failures));
          } else {
            ui.setText("summary", "Stopped checking for updates. Reload the page to see the latest.");
          }
        });
    }

    window.setTimeout(poll, interval);
  };
})();
