// The header's menus are <details>: they open and close without this file. It closes the other menus when one
// opens, and every menu on Escape or a click outside, as a menu is expected to behave.
(function () {
  "use strict";
  var menus = Array.prototype.slice.call(document.querySelectorAll("details.menu"));
  function closeAll(except) {
    menus.forEach(function (menu) { if (menu !== except) { menu.open = false; } });
  }
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () { if (menu.open) { closeAll(menu); } });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("details.menu")) { closeAll(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = menus.filter(function (menu) { return menu.open; });
      closeAll(null);
      if (open.length) { open[0].querySelector("summary").focus(); }
    }
  });
})();
