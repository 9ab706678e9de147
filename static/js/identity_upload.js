"use strict";
// The recipients' identity list file: sent as soon as it is chosen or dropped, with the whole
// composer form, by XMLHttpRequest so that its upload progress shows in a <progress>; the answer
// (the recipients section with what the file held) is swapped in by htmx. Without this file the
// "Upload the file" button posts the same form as a plain multipart form.
(function () {
  const form = document.getElementById("composer-form");
  if (!form) {
    return;
  }
  const csrf = () => JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

  function upload(zone, file) {
    const section = zone.closest(".composer-section");
    const progress = zone.querySelector("progress");
    const status = zone.querySelector("[data-identity-status]");
    const data = new FormData(form);
    data.set("identity_file", file);
    const request = new XMLHttpRequest();
    request.open("POST", zone.dataset.uploadUrl);
    request.setRequestHeader("HX-Request", "true");
    request.setRequestHeader("X-CSRFToken", csrf());
    progress.hidden = false;
    progress.value = 0;
    status.textContent = `Uploading ${file.name}…`;
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) {
        progress.value = Math.round((100 * event.loaded) / event.total);
        status.textContent = `Uploading ${file.name}: ${progress.value}%`;
      }
    });
    request.upload.addEventListener("load", () => {
      progress.removeAttribute("value");
      status.textContent = `Reading ${file.name} on the server…`;
    });
    request.addEventListener("load", () => {
      if (request.status !== 200) {
        progress.hidden = true;
        status.textContent = `The upload failed (${request.status}): nothing was changed. Try again.`;
        return;
      }
      htmx.swap(section, request.responseText, { swapStyle: "outerHTML" });
      const trigger = request.getResponseHeader("HX-Trigger-After-Settle");
      if (trigger) {
        Object.keys(JSON.parse(trigger)).forEach((name) => htmx.trigger(document.body, name));
      }
    });
    request.addEventListener("error", () => {
      progress.hidden = true;
      status.textContent = "The upload failed (no answer from the server): nothing was changed. Try again.";
    });
    request.send(data);
  }

  const zoneOf = (target) => target.closest && target.closest("[data-identity-drop]");
  // Choosing a file is no edit of the draft: the upload saves it, and an autosave sent meanwhile
  // would stand on the version before the upload's.
  form.addEventListener("input", (event) => {
    if (zoneOf(event.target) && event.target.type === "file") {
      event.stopPropagation();
    }
  }, true);
  form.addEventListener("change", (event) => {
    const zone = zoneOf(event.target);
    if (zone && event.target.type === "file" && event.target.files.length) {
      event.stopPropagation();
      upload(zone, event.target.files[0]);
    }
  }, true);
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-identity-upload]");
    if (!button) {
      return;
    }
    event.preventDefault();
    const zone = zoneOf(button);
    const input = zone.querySelector("input[type=file]");
    if (input.files.length) {
      upload(zone, input.files[0]);
    } else {
      input.click();
    }
  }, true);
  form.addEventListener("dragover", (event) => {
    const zone = zoneOf(event.target);
    if (zone) {
      event.preventDefault();
      zone.classList.add("identity-drop-over");
    }
  });
  form.addEventListener("dragleave", (event) => {
    const zone = zoneOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) {
      zone.classList.remove("identity-drop-over");
    }
  });
  form.addEventListener("drop", (event) => {
    const zone = zoneOf(event.target);
    if (zone && event.dataTransfer.files.length) {
      event.preventDefault();
      zone.classList.remove("identity-drop-over");
      upload(zone, event.dataTransfer.files[0]);
    }
  });
})();
