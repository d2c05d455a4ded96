// A test's countdown. It counts down from the seconds the server said were left (not
// from this computer's clock, which may be wrong) and, at zero, sends the form as it
// stands and finishes. The server enforces the limit itself: what was saved by the
// deadline counts, with or without this file.
(function () {
  "use strict";
  const clock = document.getElementById("time-left");
  const form = document.getElementById("attempt-form");
  if (!clock || !form) return;
  const ends = Date.now() + Number(clock.dataset.secondsLeft) * 1000;
  let timer = null;

  function show(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = String(seconds % 60).padStart(2, "0");
    clock.textContent = h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  function finish() {
    const then = document.createElement("input");
    then.type = "hidden";
    then.name = "then";
    then.value = "finish-anyway";
    form.append(then);
    form.submit();
  }

  function tick() {
    const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    show(left);
    if (left === 0) {
      clearInterval(timer);
      finish();
    }
  }

  tick();
  timer = setInterval(tick, 1000);
})();
