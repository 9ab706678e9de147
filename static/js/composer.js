"use strict";
// The composer: saved/unsaved state, errors placed at their fields after each preview, copy
// buttons, and focus after rows are added or removed. The page works without this file.
(function () {
  const form = document.getElementById("composer-form");
  if (!form) {
    return;
  }
  const autosave = document.getElementById("autosave");
  const canSave = autosave && autosave.hasAttribute("data-autosave");
  const statusElement = () => document.getElementById("save-status");
  const isSaveRequest = (elt) => elt === form || elt === autosave || (elt && elt.form === form && elt.name === "composer-overwrite_version");

  // Saved / unsaved: every edit is counted; a save covers the edits made before it was sent.
  let edits = 0;
  let sentEdits = 0;

  function showDirty() {
    const status = statusElement();
    if (!status || status.dataset.state === "conflict" || status.dataset.state === "dirty") {
      return;
    }
    status.dataset.state = "dirty";
    status.textContent = "Unsaved changes";
    status.classList.add("text-warning-emphasis");
  }

  function edited(event) {
    if (!canSave || event.target.closest("[data-no-save]")) {
      return;
    }
    edits += 1;
    showDirty();
  }
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);

  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (isSaveRequest(event.detail.elt)) {
      sentEdits = edits;
    }
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (isSaveRequest(event.detail.elt) && edits > sentEdits) {
      showDirty();
    }
  });
  // While a conflict is shown, autosave waits: the person chooses to reload or overwrite.
  document.body.addEventListener("htmx:confirm", (event) => {
    const status = statusElement();
    if (event.detail.elt === autosave && status && status.dataset.state === "conflict") {
      event.preventDefault();
    }
  });

  // Errors at their fields, from the list beside the preview (the fields are never swapped).
  function placeErrors() {
    const list = document.getElementById("preview-errors");
    if (!list) {
      return;
    }
    form.querySelectorAll(".live-error, .invalid-feedback").forEach((el) => el.remove());
    form.querySelectorAll("[aria-invalid]").forEach((el) => {
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
      const described = (el.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.startsWith("live-error-"));
      if (described.length) {
        el.setAttribute("aria-describedby", described.join(" "));
      } else {
        el.removeAttribute("aria-describedby");
      }
    });
    form.querySelectorAll(".is-invalid").forEach((el) => el.classList.remove("is-invalid"));
    const messages = new Map();
    list.querySelectorAll("li[data-field]").forEach((item) => {
      const name = item.dataset.field;
      messages.set(name, [...(messages.get(name) || []), item.dataset.message]);
    });
    messages.forEach((texts, name) => {
      const inputs = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
      if (!inputs.length) {
        return;
      }
      const holder = inputs[0].closest("[id^='div_id_']") || inputs[0].parentElement;
      const feedback = document.createElement("div");
      feedback.className = "invalid-feedback d-block live-error";
      feedback.id = `live-error-${name}`;
      feedback.textContent = texts.join(" ");
      holder.appendChild(feedback);
      inputs.forEach((input) => {
        input.classList.add("is-invalid");
        input.setAttribute("aria-invalid", "true");
        const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        input.setAttribute("aria-describedby", [...described, feedback.id].join(" "));
      });
    });
  }
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.target instanceof Element && event.target.closest("#preview-region")) {
      placeErrors();
    }
  });

  // An error's link focuses its field (radio groups and checkboxes have no id_<name>).
  document.addEventListener("click", (event) => {
    const link = event.target.closest("#preview-errors li[data-field] a");
    if (!link) {
      return;
    }
    const input = form.querySelector(`[name="${CSS.escape(link.closest("li").dataset.field)}"]`);
    if (input) {
      event.preventDefault();
      input.scrollIntoView({ block: "center" });
      input.focus();
    }
  });

  // After a row is added or removed the server names the element to focus.
  document.body.addEventListener("composer:focus", (event) => {
    const target = document.getElementById(event.detail.id);
    if (target) {
      target.focus();
    }
  });
})();

// Copy buttons: data-copy="<selector of the element whose text is copied>".
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) {
    return;
  }
  const source = document.querySelector(button.dataset.copy);
  if (!source) {
    return;
  }
  const text = "value" in source ? source.value : source.textContent;
  const label = button.dataset.label || button.textContent;
  button.dataset.label = label;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch (error) {
    if ("select" in source) {
      source.select();
    }
    button.textContent = "Press Ctrl+C to copy";
  }
  window.setTimeout(() => {
    button.textContent = label;
  }, 2000);
});
