"use strict";
// The composer: saved/unsaved state (beside the title too), saving before leaving, what was typed
// while a part was laid out again, errors placed at their fields after each preview, copy buttons,
// and focus after rows are added or removed or a part set aside is brought back. The page works
// without this file.
(function () {
  const form = document.getElementById("composer-form");
  if (!form) {
    return;
  }
  const autosave = document.getElementById("autosave");
  const canSave = autosave && autosave.hasAttribute("data-autosave");
  const statusElement = () => document.getElementById("save-status");
  const isSaveRequest = (elt) => elt === form || elt === autosave || (elt && elt.form === form && elt.name === "composer-overwrite_version");

  // Saved / unsaved: every edit is counted (a change of channel, a row added or removed, a part
  // set aside brought back or discarded too); a save covers the edits made before it was sent.
  let edits = 0;
  let sentEdits = 0;
  let savedEdits = 0;
  const unsaved = () => canSave && edits > savedEdits;
  const pill = document.getElementById("save-pill");
  const PILL_TEXT = {
    clean: "All changes saved",
    saved: "All changes saved",
    dirty: "Unsaved changes",
    saving: "Saving…",
    conflict: "Not saved: someone else saved",
    error: "Not saved",
    incomplete: "Not saved",
  };

  // The pill beside the title says what the status at the foot of the form says.
  function showPill(state) {
    if (pill) {
      pill.dataset.state = state;
      pill.textContent = PILL_TEXT[state] || PILL_TEXT.dirty;
    }
  }

  function showDirty() {
    const status = statusElement();
    if (!status || status.dataset.state === "conflict" || status.dataset.state === "dirty") {
      return;
    }
    status.dataset.state = "dirty";
    status.textContent = "Unsaved changes";
    status.classList.add("text-warning-emphasis");
    showPill("dirty");
  }

  function edited(event) {
    if (!canSave || (event.target.closest && event.target.closest("[data-no-save]"))) {
      return;
    }
    edits += 1;
    showDirty();
  }
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  document.body.addEventListener("composer:changed", edited);

  // Whoever waits for everything typed to be saved (leaving the page): told true once it is,
  // false when a save was refused.
  let waiting = [];
  function settle(saved) {
    const done = waiting;
    waiting = [];
    done.forEach((resolve) => resolve(saved));
  }

  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (isSaveRequest(event.detail.elt)) {
      sentEdits = edits;
      showPill("saving");
    }
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (!isSaveRequest(event.detail.elt)) {
      return;
    }
    const status = statusElement();
    const state = status ? status.dataset.state : "error";
    if (event.detail.successful && state === "saved") {
      savedEdits = Math.max(savedEdits, sentEdits);
    }
    if (unsaved() && state === "saved") {
      showDirty();
      if (waiting.length) {
        htmx.trigger(document.body, "composer:flush");
      }
    } else {
      showPill(state);
      settle(!unsaved());
    }
  });
  // Typing while a part of the form is laid out again (a row added, a channel or template
  // chosen): the answer holds what was sent, so what was typed after it goes back into the new
  // fields of the same name; only where the answer kept the value sent (rows renumbered or a
  // field the server changed are left as answered).
  function typedValues() {
    const values = new Map();
    form.querySelectorAll("input[name], textarea[name], select[name]").forEach((field) => {
      if (field.type === "checkbox" || field.type === "radio") {
        values.set(`${field.name}\u0000${field.value}`, field.checked);
      } else if (!["file", "hidden", "submit", "button"].includes(field.type) && !field.multiple) {
        values.set(field.name, field.value);
      }
    });
    return values;
  }
  const layoutRequests = new WeakMap();
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    if (!isSaveRequest(elt) && !(elt && elt.closest && elt.closest("#preview-region")) && event.detail.xhr) {
      layoutRequests.set(event.detail.xhr, { sent: typedValues(), typed: null });
    }
  });
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const request = event.detail.xhr && layoutRequests.get(event.detail.xhr);
    if (request && request.typed === null) {
      const now = typedValues();
      request.typed = new Map([...now].filter(([key, value]) => request.sent.has(key) && request.sent.get(key) !== value));
    }
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const request = event.detail.xhr && layoutRequests.get(event.detail.xhr);
    if (!request || !request.typed) {
      return;
    }
    layoutRequests.delete(event.detail.xhr);
    const answered = typedValues();
    request.typed.forEach((value, key) => {
      if (answered.get(key) !== request.sent.get(key)) {
        return;
      }
      const [name, choice] = key.split("\u0000");
      const selector = choice === undefined ? `[name="${CSS.escape(name)}"]` : `[name="${CSS.escape(name)}"][value="${CSS.escape(choice)}"]`;
      const field = form.querySelector(selector);
      if (!field) {
        return;
      }
      if (choice === undefined) {
        field.value = value;
      } else {
        field.checked = value;
      }
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
  // While a conflict is shown, autosave waits: the person chooses to reload or overwrite.
  document.body.addEventListener("htmx:confirm", (event) => {
    const status = statusElement();
    if (event.detail.elt === autosave && status && status.dataset.state === "conflict") {
      event.preventDefault();
    }
  });

  // Save now what autosave would save in two seconds: true once everything typed is saved.
  function flush() {
    const status = statusElement();
    if (!unsaved() || (status && status.dataset.state === "conflict")) {
      return Promise.resolve(!unsaved());
    }
    const saved = new Promise((resolve) => {
      waiting.push(resolve);
      window.setTimeout(() => resolve(false), 10000);
    });
    htmx.trigger(document.body, "composer:flush");
    return saved;
  }

  // Leaving by a link or a form of the app saves first. When that fails the browser still asks
  // (beforeunload), and the status says why it was not saved.
  function leaveAfterSaving(leave) {
    flush().then(leave);
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey
      || event.shiftKey || event.altKey || link.hasAttribute("download")
      || (link.target && link.target !== "_self") || !unsaved()) {
      return;
    }
    const url = new URL(link.href, window.location.href);
    const here = window.location;
    const samePage = url.pathname === here.pathname && url.search === here.search;
    // Another site: the browser asks (beforeunload). A place on this page: nothing is left.
    if (url.origin !== here.origin || (samePage && url.hash)) {
      return;
    }
    event.preventDefault();
    leaveAfterSaving(() => window.location.assign(url.href));
  });
  const submittedAfterSaving = new WeakSet();
  document.addEventListener("submit", (event) => {
    const other = event.target;
    if (event.defaultPrevented || other === form || submittedAfterSaving.has(other) || !unsaved()) {
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    leaveAfterSaving(() => {
      submittedAfterSaving.add(other);
      other.requestSubmit(submitter && submitter.form === other ? submitter : undefined);
    });
  });
  window.addEventListener("beforeunload", (event) => {
    if (unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // A tab put away (or a phone's app switched) may never come back: save now.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      flush();
    }
  });

  // Errors at their fields, from the list beside the preview (the fields are never swapped).
  function placeErrors() {
    const list = document.getElementById("preview-errors");
    if (!list) {
      return;
    }
    form.querySelectorAll(".live-error, .live-warning, .invalid-feedback").forEach((el) => el.remove());
    form.querySelectorAll("[data-live-warning]").forEach((el) => {
      const described = (el.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.startsWith("live-warning-"));
      if (described.length) {
        el.setAttribute("aria-describedby", described.join(" "));
      } else {
        el.removeAttribute("aria-describedby");
      }
      el.removeAttribute("data-live-warning");
    });
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
    placeNotes(list, (name, texts, inputs) => {
      const feedback = document.createElement("div");
      feedback.className = "invalid-feedback d-block live-error";
      feedback.id = `live-error-${name}`;
      feedback.textContent = texts.join(" ");
      inputs.forEach((input) => {
        input.classList.add("is-invalid");
        input.setAttribute("aria-invalid", "true");
      });
      return feedback;
    });
    placeWarnings();
  }

  // Warnings at their fields too (Liquid CleverTap would send as typed...), below any error.
  function placeWarnings() {
    const list = document.getElementById("preview-warnings");
    if (!list) {
      return;
    }
    placeNotes(list, (name, texts, inputs) => {
      const note = document.createElement("div");
      note.className = "form-text text-warning-emphasis live-warning";
      note.id = `live-warning-${name}`;
      note.textContent = `Warning: ${texts.join(" ")}`;
      inputs.forEach((input) => input.setAttribute("data-live-warning", ""));
      return note;
    });
  }

  // Each field named in a list of problems gets one note (made by `make`) under it, read out
  // with the field (aria-describedby).
  function placeNotes(list, make) {
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
      const note = make(name, texts, inputs);
      holder.appendChild(note);
      inputs.forEach((input) => {
        const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        input.setAttribute("aria-describedby", [...described, note.id].join(" "));
      });
    });
  }
  placeWarnings();
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.target instanceof Element && event.target.closest("#preview-region")) {
      placeErrors();
    }
  });

  // An error's link focuses its field (radio groups and checkboxes have no id_<name>).
  document.addEventListener("click", (event) => {
    const link = event.target.closest("#preview-errors li[data-field] a, #preview-warnings li[data-field] a");
    if (!link) {
      return;
    }
    const input = form.querySelector(`[name="${CSS.escape(link.closest("li").dataset.field)}"]`);
    if (input) {
      event.preventDefault();
      // From the preview opened over the form (narrow screens): back to the form first.
      if (layout && layout.classList.contains("preview-open")) {
        showPreview(false, { focus: false });
      }
      input.scrollIntoView({ block: "center" });
      input.focus();
    }
  });

  // The sticky header and step summary: their heights, for the summary's place under the header
  // and for jumps and focus to scroll clear of them (app.css).
  const root = document.documentElement;
  const header = document.querySelector(".composer-header");
  const stepsBar = document.getElementById("composer-steps-bar");
  function measureSticky() {
    const headerSticks = header && getComputedStyle(header).position === "sticky";
    root.style.setProperty("--composer-header-height", `${headerSticks ? header.offsetHeight : 0}px`);
    root.style.setProperty("--composer-steps-height", `${stepsBar ? stepsBar.offsetHeight : 0}px`);
  }
  if (window.ResizeObserver) {
    const observer = new ResizeObserver(measureSticky);
    [header, stepsBar].forEach((el) => el && observer.observe(el));
  }
  window.addEventListener("resize", measureSticky);
  measureSticky();

  // Narrow screens: the preview column opens over the form ("Show preview"), the rest of the
  // page inert behind it; Escape or "Hide preview" closes it, and focus goes back to the toggle.
  const layout = document.getElementById("composer-layout");
  const panel = document.getElementById("composer-preview");
  const toggle = document.getElementById("preview-toggle");
  const close = document.getElementById("preview-close");
  const wide = window.matchMedia("(min-width: 1200px)");
  let madeInert = [];
  function inertAround(element) {
    for (let node = element; node && node !== document.body; node = node.parentElement) {
      [...node.parentElement.children].forEach((sibling) => {
        if (sibling !== node && !sibling.inert && sibling.tagName !== "SCRIPT") {
          sibling.inert = true;
          madeInert.push(sibling);
        }
      });
    }
  }
  function showPreview(open, { focus = true } = {}) {
    layout.classList.toggle("preview-open", open);
    root.classList.toggle("preview-shown", open);
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide preview" : "Show preview";
    madeInert.forEach((el) => { el.inert = false; });
    madeInert = [];
    if (open) {
      inertAround(panel);
      if (focus) {
        close.focus();
      }
    } else if (focus) {
      toggle.focus();
    }
  }
  if (layout && panel && toggle && close) {
    layout.classList.add("preview-collapsible");
    toggle.hidden = false;
    close.hidden = false;
    toggle.addEventListener("click", () => showPreview(toggle.getAttribute("aria-expanded") !== "true"));
    close.addEventListener("click", () => showPreview(false));
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && layout.classList.contains("preview-open")) {
        showPreview(false);
      }
    });
    wide.addEventListener("change", () => {
      if (wide.matches && layout.classList.contains("preview-open")) {
        showPreview(false, { focus: false });
      }
    });
  }

  // The preview's tabs: the device preview or the request body. The choice sits on the region,
  // which the live preview does not replace, so that it outlasts every refresh.
  const region = document.getElementById("preview-region");
  function showTabs() {
    const tabs = region && region.querySelector(".preview-tabs");
    if (!tabs) {
      return;
    }
    region.classList.add("preview-tabbed");
    tabs.hidden = false;
    const chosen = region.dataset.tab || "device";
    tabs.querySelectorAll("[role=tab]").forEach((tab) => {
      const selected = tab.dataset.tab === chosen;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    });
  }
  function chooseTab(tab) {
    region.dataset.tab = tab.dataset.tab;
    showTabs();
    tab.focus();
  }
  if (region) {
    region.addEventListener("click", (event) => {
      const tab = event.target.closest(".preview-tabs [role=tab]");
      if (tab) {
        chooseTab(tab);
      }
    });
    region.addEventListener("keydown", (event) => {
      const tab = event.target.closest(".preview-tabs [role=tab]");
      if (!tab || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) {
        return;
      }
      const all = [...tab.parentElement.querySelectorAll("[role=tab]")];
      const index = all.indexOf(tab);
      const next = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: all.length - 1 }[event.key];
      event.preventDefault();
      chooseTab(all[(next + all.length) % all.length]);
    });
    showTabs();
  }
  // A refresh replaces the tabs: focus on one stays on its new copy.
  let focusedTab = null;
  document.body.addEventListener("htmx:beforeSwap", () => {
    const active = document.activeElement;
    focusedTab = active && active.matches(".preview-tabs [role=tab]") ? active.dataset.tab : null;
  });
  document.body.addEventListener("htmx:afterSwap", () => {
    showTabs();
    const tab = focusedTab && region && region.querySelector(`.preview-tabs [data-tab="${focusedTab}"]`);
    if (tab && document.activeElement !== tab) {
      tab.focus();
    }
  });

  // The field being edited marks its key in the request body (the path its hint names), again
  // after each refresh of the preview.
  let editedPath = "";
  function markEditedPath() {
    document.querySelectorAll("#preview-json .j-edited").forEach((key) => key.classList.remove("j-edited"));
    const key = editedPath && document.querySelector(`#preview-json [data-path="${CSS.escape(editedPath)}"]`);
    if (key) {
      key.classList.add("j-edited");
    }
  }
  form.addEventListener("focusin", (event) => {
    const wrapper = event.target.closest("[id^='div_id_'], fieldset");
    const hint = wrapper && wrapper.querySelector(".api-path");
    editedPath = hint ? hint.textContent.trim() : "";
    markEditedPath();
  });
  document.body.addEventListener("htmx:afterSettle", markEditedPath);

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
