// Keyboard study, as in Anki: Space or Enter shows the answer, 1-4 grade, u undoes.
// The page works without this file: the same links and forms do it with reloads.
(function () {
  "use strict";
  const card = () => document.getElementById("card");

  function markShown() {
    const root = card();
    if (root) root.dataset.shownAt = String(Date.now());
  }

  function answerShown(root) {
    const answer = root.querySelector("#answer");
    return answer !== null && !answer.hidden;
  }

  function reveal() {
    const root = card();
    if (!root || !root.querySelector("#answer") || answerShown(root)) return;
    root.querySelector("#answer").hidden = false;
    root.querySelector("#grade-form").hidden = false;
    root.querySelector("#show-answer").hidden = true;
    if (root.dataset.kind === "cloze") root.querySelector(".front").hidden = true;
    root.querySelector("#grade-form button[value='3']").focus();
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest("#show-answer")) {
      event.preventDefault();
      reveal();
    }
  });

  // Capture phase: this runs before htmx's own submit handler reads the form.
  document.addEventListener(
    "submit",
    (event) => {
      const root = card();
      if (event.target.id === "grade-form" && root && root.dataset.shownAt) {
        const elapsed = Date.now() - Number(root.dataset.shownAt);
        event.target.elements.duration_ms.value = String(Math.max(1, elapsed));
      }
    },
    true,
  );

  // Between a grade (or undo) and the arrival of the next card, keys would act on a card
  // that is already done with, so they are ignored until the swap.
  let waiting = false;
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.closest("#grade-form, #undo-form")) waiting = true;
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (!event.detail.successful) waiting = false;
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat || waiting) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const root = card();
    if (!root) return;
    const onPage = event.target === document.body || root.contains(event.target);
    if ((event.key === " " || event.key === "Enter") && onPage && !answerShown(root)) {
      if (!root.querySelector("#answer")) return;
      event.preventDefault();
      reveal();
    } else if (["1", "2", "3", "4"].includes(event.key) && answerShown(root)) {
      event.preventDefault();
      root.querySelector(`#grade-form button[value='${event.key}']`).click();
    } else if (event.key === "u") {
      event.preventDefault();
      root.querySelector("#undo-form button").click();
    }
  });

  // After a grade or an undo the server answers 204 with a "studied" event naming the
  // page to show next; fetch just its card.
  document.body.addEventListener("studied", (event) => {
    htmx.ajax("GET", event.detail.url, { target: "#card", swap: "outerHTML" });
  });
  document.addEventListener("htmx:afterSwap", () => {
    waiting = false;
    markShown();
  });
  markShown();
})();
