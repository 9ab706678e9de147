"use strict";
// Show Django messages (rendered as Bootstrap toasts) on load and after htmx swaps.
function showToasts(root) {
  root.querySelectorAll(".toast[data-autoshow]").forEach((el) => {
    el.removeAttribute("data-autoshow");
    bootstrap.Toast.getOrCreateInstance(el).show();
  });
}
document.addEventListener("DOMContentLoaded", () => showToasts(document));
document.body.addEventListener("htmx:afterSwap", (event) => showToasts(event.target));
