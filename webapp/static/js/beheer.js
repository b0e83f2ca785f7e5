// Beheer: focus on errors. The search pickers are in picker.js.
(function () {
  "use strict";

  // After a failed save, move focus to the list of problems so it is read out first.
  var errors = document.getElementById("foutmeldingen") || document.getElementById("conflict");
  if (errors) {
    if (!errors.hasAttribute("tabindex")) errors.setAttribute("tabindex", "-1");
    errors.focus();
  }
})();
