"use strict";
// The composer's reach follows the audience: after an edit of an audience input (the server
// lists their names on #reach-follow), and a pause, the estimate panel asks for the reach of what
// is typed. Edits of the message, the title or the schedule ask nothing. Without this file the
// "Estimate reach" button estimates the saved draft.
(function () {
  const follow = document.getElementById("reach-follow");
  const form = document.getElementById("composer-form");
  if (!follow || !form) {
    return;
  }
  const names = JSON.parse(follow.dataset.audienceInputs || "[]");
  const pause = Number(follow.dataset.pauseMs || "600");
  const isAudience = (name) =>
    Boolean(name) && names.some((known) => (known.endsWith("-") ? name.startsWith(known) : name === known));

  // What the audience inputs hold now: an edit that leaves it as it was asks nothing.
  function audienceNow() {
    const parts = [];
    for (const [name, value] of new FormData(form)) {
      if (isAudience(name) && typeof value === "string") {
        parts.push(name + "=" + value);
      }
    }
    return parts.join("&");
  }

  let asked = audienceNow();
  let timer = null;

  // The panel said the draft has problems: the edit that fixes them (wherever it is) asks again.
  const blocked = () => Boolean(document.querySelector('#estimate[data-blocked="true"]'));

  function later(force) {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      const now = audienceNow();
      if (now !== asked || force) {
        asked = now;
        // htmx (loaded deferred, after this file) asks for the reach on this event.
        document.body.dispatchEvent(new CustomEvent("reach:audience-edited"));
      }
    }, pause);
  }

  // CleverTap was busy (the limiter had no slot): ask again in a few seconds, whatever swaps the
  // panel meanwhile (a save refreshes it with the saved draft's estimate).
  const retryMs = Number(follow.dataset.retryMs || "5000");
  let retry = null;
  follow.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail && event.detail.xhr;
    window.clearTimeout(retry);
    if (xhr && xhr.responseText && xhr.responseText.includes('data-retry="true"')) {
      retry = window.setTimeout(() => {
        document.body.dispatchEvent(new CustomEvent("reach:audience-edited"));
      }, retryMs);
    }
  });

  const edited = (event) => {
    if (event.target && isAudience(event.target.name)) {
      later(false);
    } else if (blocked()) {
      later(true);
    }
  };
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  // A row of the audience added or removed, or another API family or channel: swapped parts.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const elt = event.detail && event.detail.elt;
    if (elt && elt.closest && (elt.closest("#section-audience") || elt.closest("#target") || elt.id === "sections")) {
      later(false);
    }
  });
})();
