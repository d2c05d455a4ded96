// Fill the sign-up form's hidden time zone from the browser, so that "today" starts at
// the learner's own hour from the first review. Without JavaScript the zone is UTC.
(function () {
  "use strict";
  const field = document.querySelector("input[name='time_zone']");
  if (field && !field.value) {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  }
})();
