// Keyboard study, as in Anki: Space or Enter shows the answer, 1-4 grade, u undoes,
// - buries the card until tomorrow and @ suspends it.
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
    // On a touch screen, a tap anywhere on the card shows the answer, as in AnkiDroid;
    // a link inside the card still works as a link.
    const onCard = event.target.closest(".study-card") && !event.target.closest("a");
    if (event.target.closest("#show-answer") || onCard) {
      event.preventDefault();
      reveal();
    }
  });

  // A grade the server failed to record (a 5xx, or no answer at all) is sent again after
  // a pause: the card's one-time token makes a repeat safe, so the review is recorded
  // exactly once. After the last try the learner is told, and the card stays to grade.
  const RETRY_AFTER_MS = [500, 2000, 5000];
  let tries = 0;
  let rating = null;

  // Capture phase: this runs before htmx's own submit handler reads the form.
  document.addEventListener(
    "submit",
    (event) => {
      const root = card();
      if (event.target.id !== "grade-form") return;
      tries = 0;
      rating = event.submitter ? event.submitter.value : null;
      if (root && root.dataset.shownAt) {
        const elapsed = Date.now() - Number(root.dataset.shownAt);
        event.target.elements.duration_ms.value = String(Math.max(1, elapsed));
      }
    },
    true,
  );

  function retryGrade(form) {
    const delay = RETRY_AFTER_MS[tries++];
    setTimeout(() => {
      waiting = true;
      htmx.ajax("POST", form.getAttribute("hx-post"), {
        source: form,
        values: { rating: rating },
        swap: "none",
      });
    }, delay);
  }

  function tellNotSaved(form) {
    const alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent =
      "Your grade could not be saved: the server did not answer. Nothing was recorded; grade the card again.";
    form.before(alert);
  }

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt.closest && event.detail.elt.closest("#grade-form");
    if (!form || event.detail.successful) return;
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status !== 0 && status < 500) return;
    if (tries < RETRY_AFTER_MS.length && rating !== null) retryGrade(form);
    else tellNotSaved(form);
  });

  // Between a grade (or undo) and the arrival of the next card, keys would act on a card
  // that is already done with, so they are ignored until the swap.
  let waiting = false;
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.closest("#grade-form, #undo-form, #mark-form")) waiting = true;
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
    } else if ((event.key === "-" || event.key === "@") && root.querySelector("#mark-form")) {
      // Anki's keys: - buries the card until tomorrow, @ suspends it.
      event.preventDefault();
      const action = event.key === "-" ? "bury" : "suspend";
      root.querySelector(`#mark-form button[value='${action}']`).click();
    }
  });

  // After a grade, an undo or a card action the server answers with the card to show
  // next, and htmx puts it in place of this one (HX-Retarget, HX-Reswap). Keys wait for
  // the settle, not the swap: htmx takes over the new card's forms only then (with no
  // settle delay, base.html, at once after), and a key before that sent the grade as a
  // plain form, a page load.
  document.addEventListener("htmx:afterSettle", () => {
    waiting = false;
    markShown();
  });
  markShown();
})();
