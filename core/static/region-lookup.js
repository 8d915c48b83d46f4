// Suggest region codes while the admin types a name or a code (reads the JSON API with the session).
(function () {
  const input = document.getElementById("region_code");
  const list = document.getElementById("region-options");
  if (!input || !list) return;
  let timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(async function () {
      const response = await fetch("/api/v1/regions?per_page=20&q=" + encodeURIComponent(q), {credentials: "same-origin"});
      if (!response.ok) return;
      const page = await response.json();
      list.replaceChildren(...page.items.map(function (region) {
        const option = document.createElement("option");
        option.value = region.code;
        option.label = region.name + " (" + region.level + ")";
        return option;
      }));
    }, 200);
  });
})();
