// Quorum dashboards: keeps a live region current without reloading the page.
//
// A page marks one region with data-live-src (where to fetch its HTML again) and says which
// events concern it: data-live-councils / data-live-all (the council queue) or
// data-live-workflow (a workflow's page). Server-sent events from /dashboard/events say when
// something changed; the region is then fetched again. When the stream fails, the region is
// fetched every five seconds until it comes back. Without this script every page works the
// same, refreshed by hand.
(function () {
  "use strict";

  var region = document.querySelector("[data-live-src]");
  if (!region) return;
  var status = document.getElementById("live-status");
  var src = region.getAttribute("data-live-src");
  var councils = (region.getAttribute("data-live-councils") || "").split(" ").filter(Boolean);
  var all = region.getAttribute("data-live-all") === "true";
  var workflow = region.getAttribute("data-live-workflow");
  var POLL_MS = 5000;
  var pending = false;
  var busy = false;
  var poller = null;
  var lastCount = count();

  function say(text) {
    if (status && status.textContent !== text) status.textContent = text;
  }

  function count() {
    var marker = region.querySelector("[data-count]");
    return marker ? marker.getAttribute("data-count") : null;
  }

  // A member halfway through writing a reason keeps their words: the refresh waits.
  function editing() {
    var fields = region.querySelectorAll("textarea, input[type=text]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i] === document.activeElement || fields[i].value.trim() !== "") return true;
    }
    return false;
  }

  function refresh() {
    pending = true;
    if (busy) return;
    if (editing()) {
      say("Something changed; the page will update when you have sent or cleared your reason.");
      return;
    }
    busy = true;
    pending = false;
    fetch(src, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        // Signed out meanwhile: the sign-in page answers instead, so go there for real.
        if (response.redirected || response.status === 401) {
          window.location.reload();
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        region.innerHTML = html;
        var now = count();
        if (now !== null && now !== lastCount) {
          say(now === "1" ? "1 workflow awaits review." : now + " workflows await review.");
        }
        lastCount = now;
      })
      .catch(function () {
        say("Could not update; retrying.");
        pending = true;
      })
      .then(function () {
        busy = false;
        if (pending) setTimeout(refresh, 500);
      });
  }

  region.addEventListener("focusout", function () {
    if (pending) setTimeout(refresh, 0);
  });
  region.addEventListener("input", function () {
    if (pending && !editing()) refresh();
  });

  function concerns(event) {
    try {
      var data = JSON.parse(event.data);
      if (workflow) return data.workflow_id === workflow;
      return all || councils.indexOf(data.council_id) >= 0;
    } catch (e) {
      return false;
    }
  }

  function startPolling() {
    if (poller) return;
    poller = setInterval(refresh, POLL_MS);
    say("Checking for changes every 5 seconds.");
  }

  function stopPolling() {
    if (!poller) return;
    clearInterval(poller);
    poller = null;
  }

  if (!window.EventSource) {
    startPolling();
    return;
  }
  var opened = false;
  var stream = new EventSource("/dashboard/events");
  stream.onopen = function () {
    stopPolling();
    say("Live: changes appear here as they happen.");
    // After a break the stream resumes from its last event, but the page may have missed
    // changes while polling was off: catch up once.
    if (opened) refresh();
    opened = true;
  };
  stream.onerror = function () {
    startPolling();
  };
  ["created", "voted", "decided", "queued", "started", "step_waiting", "step_finished", "completed", "failed",
   "cancelled", "expired"].forEach(function (kind) {
    stream.addEventListener(kind, function (event) {
      if (concerns(event)) refresh();
    });
  });
})();
