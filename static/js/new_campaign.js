"use strict";
// The New page: while "a list of people" is chosen, the channels it cannot get are disabled and
// the channel question says which it can. A channel already chosen stays as it is (its card says
// why it does not fit; the server refuses it in words), so that nothing chosen is lost.
(() => {
  const form = document.getElementById("new-campaign");
  if (!form) return;
  const note = document.getElementById("channel-fit");
  const narrow = () => {
    const chosen = form.querySelector('input[name="who"]:checked');
    const toList = chosen !== null && chosen.value === form.dataset.listAnswer;
    form.querySelectorAll("input[data-not-to-list]").forEach((input) => {
      input.disabled = toList && !input.checked;
    });
    form.classList.toggle("to-list", toList);
    note.textContent = toList ? note.dataset.note : "";
  };
  form.addEventListener("change", narrow);
  // Also once the browser has put back what was chosen (back and forward, a reload).
  window.addEventListener("pageshow", narrow);
  narrow();
})();
