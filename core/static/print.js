// A "Print" button (data-print) that opens the browser's print dialog; the print style sheet hides the controls.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
