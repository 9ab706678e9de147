"use strict";
// "Insert personalization": a button beside each field CleverTap personalizes (the server marks
// them data-personalize, only where CleverTap renders Liquid) opens a dialog that lists the
// account's profile properties, asks for a default and inserts the Liquid tag at the cursor.
// Escape or Cancel closes it; focus goes back to the field either way. Without JavaScript the
// tags can still be typed.
(function () {
  const dialog = document.getElementById("personalization-dialog");
  const composerForm = document.getElementById("composer-form");
  if (!dialog || !composerForm || typeof dialog.showModal !== "function") {
    return;
  }
  const form = document.getElementById("personalization-form");
  const property = document.getElementById("personalization-property");
  const fallback = document.getElementById("personalization-default");
  const fallbackGroup = document.getElementById("personalization-default-group");
  const fallbackError = document.getElementById("personalization-default-error");
  const fieldNote = document.getElementById("personalization-field");
  const tagShown = document.getElementById("personalization-tag");
  const cancel = document.getElementById("personalization-cancel");
  // The field the dialog inserts into, and its selection when the dialog opened.
  let field = null;
  let selection = [0, 0];

  function quoted(text) {
    // A Liquid string: in double quotes, or single ones when the text has a double quote.
    if (!text.includes('"')) {
      return `"${text}"`;
    }
    return text.includes("'") ? `"${text.replaceAll('"', "")}"` : `'${text}'`;
  }

  function tag() {
    const [object, name] = property.value.split(/:(.*)/s);
    if (object === "Campaign") {
      return "{{Campaign.campaignId}}";
    }
    const path = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? `Profile.${name}` : `Profile[${quoted(name)}]`;
    return `{{${path} | default: ${quoted(fallback.value)}}}`;
  }

  function needsDefault() {
    return property.value.startsWith("Profile:");
  }

  function showTag() {
    fallbackGroup.hidden = !needsDefault();
    tagShown.textContent = tag();
  }

  function open(target) {
    field = target;
    selection = [target.selectionStart ?? target.value.length, target.selectionEnd ?? target.value.length];
    fieldNote.textContent = `Into: ${target.dataset.personalize || target.name}`;
    fallbackError.hidden = true;
    fallback.classList.remove("is-invalid");
    fallback.removeAttribute("aria-invalid");
    showTag();
    dialog.showModal();
    property.focus();
  }

  function close() {
    dialog.close();
  }

  dialog.addEventListener("close", () => {
    if (field) {
      field.focus();
    }
  });
  property.addEventListener("change", showTag);
  fallback.addEventListener("input", showTag);
  cancel.addEventListener("click", close);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (needsDefault() && fallback.value.trim() === "") {
      fallbackError.hidden = false;
      fallback.classList.add("is-invalid");
      fallback.setAttribute("aria-invalid", "true");
      fallback.setAttribute("aria-describedby", "personalization-default-help personalization-default-error");
      fallback.focus();
      return;
    }
    const inserted = tag();
    const [start, end] = selection;
    field.setRangeText(inserted, start, end, "end");
    close();
    field.setSelectionRange(start + inserted.length, start + inserted.length);
    // The live preview and the autosave listen for input.
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });

  function addButtons(root) {
    root.querySelectorAll("[data-personalize]").forEach((target) => {
      if (target.dataset.personalizeReady) {
        return;
      }
      target.dataset.personalizeReady = "1";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary btn-sm mt-1 personalize-button";
      button.textContent = "Insert personalization";
      button.setAttribute("aria-label", `Insert personalization in ${target.dataset.personalize || target.name}`);
      button.setAttribute("aria-haspopup", "dialog");
      button.dataset.noSave = "";
      button.addEventListener("click", () => open(target));
      target.insertAdjacentElement("afterend", button);
    });
  }

  addButtons(composerForm);
  // Sections are swapped in when the API family or channel changes.
  new MutationObserver(() => addButtons(composerForm)).observe(composerForm, { childList: true, subtree: true });
})();
