// SimGate's dashboard works without this script. With it, a page that names a stream in
// data-stream follows the server's Server-Sent Events (new events, status, holds, usage)
// without reloading, and a chosen CSV file is read into the import form's text box.
// Everything the server sends is put in the page as text, never as HTML.
"use strict";

(function () {
  function eventItem(event) {
    var item = document.createElement("li");
    item.dataset.type = event.type;
    var time = document.createElement("time");
    time.textContent = event.at;
    var type = document.createElement("code");
    type.textContent = event.type;
    item.append(time, " ", type, " by " + event.by + (event.reason ? " — " + event.reason : ""));
    return item;
  }

  function holdItem(hold) {
    var item = document.createElement("li");
    var cause = document.createElement("strong");
    cause.textContent = hold.cause;
    item.append(cause, ", placed " + hold.placedAt + " by " + hold.by + (hold.reason ? ": “" + hold.reason + "”" : ""));
    return item;
  }

  function apply(change) {
    var events = document.querySelector("[data-live=events]");
    if (events && change.events) {
      // Newest first, as the server sends them: insert the oldest first at the top.
      change.events.slice().reverse().forEach(function (event) { events.prepend(eventItem(event)); });
    }
    var status = document.querySelector("[data-live=status]");
    if (status && change.status) {
      status.textContent = change.status;
      status.className = "status status-" + change.statusKey;
      status.dataset.status = change.status;
    }
    var why = document.querySelector("[data-live=status-why]");
    if (why && change.statusWhy) { why.textContent = change.statusWhy; }
    var holds = document.querySelector("[data-live=holds]");
    if (holds && change.holds) {
      holds.replaceChildren.apply(holds, change.holds.map(holdItem));
      var none = document.getElementById("no-holds");
      if (none) { none.hidden = change.holds.length > 0; }
    }
    var usage = document.querySelector("[data-live=usage-month]");
    if (usage && change.usageMonth) {
      usage.textContent = change.usageMonth;
      usage.dataset.bytes = change.usageMonthBytes;
    }
  }

  function follow() {
    var root = document.querySelector("[data-stream]");
    if (!root || !window.EventSource) { return; }
    var source = new EventSource(root.getAttribute("data-stream"));
    source.addEventListener("change", function (message) {
      try { apply(JSON.parse(message.data)); } catch (ignored) { /* a malformed message changes nothing */ }
    });
    // A newer page of this session took this page's place: reconnecting would take it back.
    source.addEventListener("superseded", function () { source.close(); });
  }

  function readFilesIntoForms() {
    document.querySelectorAll("input[type=file][data-fills]").forEach(function (input) {
      input.addEventListener("change", function () {
        var target = document.getElementById(input.getAttribute("data-fills"));
        var file = input.files && input.files[0];
        if (!target || !file) { return; }
        file.text().then(function (text) { target.value = text; });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    follow();
    readFilesIntoForms();
  });
})();
