// Suggest depots while the user types part of a code or a name: an <input data-depot-picker="search URL"
// list="…"> gets up to 20 matches from the URL (?q=…, JSON {items: [{label, level}]}) in its datalist. The label
// ("code — name") is what the form takes back; the bare code works too.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q || q === asked || q.indexOf(" — ") >= 0) return;  // a chosen suggestion needs no new search
      timer = setTimeout(function () {
        asked = q;
        fetch(input.dataset.depotPicker + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (found) {
            if (!found || input.value.trim() !== q) return;
            list.replaceChildren.apply(list, found.items.map(function (depot) {
              var option = document.createElement("option");
              option.value = depot.label;
              return option;
            }));
          });
      }, 150);
    });
  }
  document.querySelectorAll("input[data-depot-picker]").forEach(attach);
})();
