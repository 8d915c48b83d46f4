// Suggest region codes while the user types a name or a code (reads the JSON API with the session).
// Any input with data-region-lookup (or the id region_code) and a list="…" datalist gets suggestions.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list") || "region-options");
    if (!list) return;
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(function () {
        fetch("/api/v1/regions?per_page=20&q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (page) {
            if (!page) return;
            list.replaceChildren.apply(list, page.items.map(function (region) {
              var option = document.createElement("option");
              option.value = region.code;
              option.label = region.name + " (" + region.level + ")";
              return option;
            }));
          });
      }, 200);
    });
  }
  document.querySelectorAll("input[data-region-lookup], input#region_code").forEach(attach);
})();
