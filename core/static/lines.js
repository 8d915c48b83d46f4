// Add and remove the lines of a multi-line form in place. The page marks the lines' container [data-lines]
// (with data-max-lines), each line [data-line] with its number in [data-line-number], a blank line to copy in
// <template data-line-template> (its fields numbered __index__, its label #), and the buttons [data-add-line] and
// [data-remove-line]. Without this script the same buttons send the form back to the server, which redraws it.
(function () {
  "use strict";
  var FIELD = /^(.*?-)(\d+|__index__)(-.*)$/;
  var ATTRIBUTES = ["id", "name", "for", "aria-describedby"];

  function number(element, row, pattern) {
    element.querySelectorAll("[" + ATTRIBUTES.join("],[") + "]").forEach(function (node) {
      ATTRIBUTES.forEach(function (attribute) {
        var value = node.getAttribute(attribute);
        var match = value && value.match(FIELD);
        if (match) node.setAttribute(attribute, match[1] + row + match[3]);
      });
    });
    element.querySelectorAll("[data-remove-line]").forEach(function (button) { button.name = "remove_line-" + row; });
    var label = element.querySelector("[data-line-number]");
    if (label) label.textContent = pattern.replace("#", row + 1);
  }

  function attach(form) {
    var container = form.querySelector("[data-lines]");
    var template = form.querySelector("template[data-line-template]");
    var add = form.querySelector("[data-add-line]");
    if (!container || !template || !add) return;
    var max = parseInt(container.dataset.maxLines, 10) || 40;
    var pattern = template.content.querySelector("[data-line-number]").textContent;
    var full = form.querySelector("[data-lines-full]");

    function lines() { return container.querySelectorAll(":scope > [data-line]"); }
    function renumber() {
      lines().forEach(function (line, row) { number(line, row, pattern); });
      add.disabled = lines().length >= max;
      if (full) full.hidden = !add.disabled;
    }
    function blank() {
      var line = template.content.firstElementChild.cloneNode(true);
      return line;
    }

    add.addEventListener("click", function (event) {
      event.preventDefault();
      if (lines().length >= max) return;
      var line = blank();
      container.appendChild(line);
      renumber();
      var first = line.querySelector("select, input");
      if (first) first.focus();
      line.dispatchEvent(new CustomEvent("line-added", {bubbles: true}));
    });
    container.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-line]");
      if (!button) return;
      event.preventDefault();
      var line = button.closest("[data-line]");
      if (lines().length === 1) container.appendChild(blank());  // a form keeps one line to fill
      line.remove();
      renumber();
    });
  }

  document.querySelectorAll("form").forEach(attach);
})();
