// Behaviour the pages declare in data attributes, so that no page needs inline script (the CSP forbids it):
// <form data-confirm="question"> asks before it is sent; <select data-submit-on-change data-clears="other">
// sends its form when changed, first emptying the named field that depends on it.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () {
      var dependent = select.dataset.clears && select.form.elements[select.dataset.clears];
      if (dependent) dependent.value = "";
      select.form.submit();
    });
  });
})();
