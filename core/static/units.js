// Each line's unit select offers only the chosen item's units (its base unit and packs, in the item option's
// data-units); a unit the new item does not have is cleared. Lines added later (lines.js) are served alike.
(function () {
  "use strict";
  function offer(itemSelect) {
    var unitSelect = document.getElementById(itemSelect.id.replace(/item_id$/, "unit"));
    if (!unitSelect) return;
    var chosen = itemSelect.selectedOptions[0];
    var units = chosen && chosen.dataset.units ? chosen.dataset.units.split(" ") : null;
    Array.from(unitSelect.options).forEach(function (option) {
      option.hidden = option.value !== "" && units !== null && units.indexOf(option.value) < 0;
    });
    if (unitSelect.selectedOptions[0] && unitSelect.selectedOptions[0].hidden) unitSelect.value = "";
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches('select[id$="-item_id"]')) offer(event.target);
  });
  document.querySelectorAll('select[id$="-item_id"]').forEach(offer);
})();
