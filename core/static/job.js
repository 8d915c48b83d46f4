// A background job's page: poll its JSON every second and show the stage, elapsed time and progress without a
// reload; when it succeeds, go to what it made. The element names the job URL in data-job.
(function () {
  "use strict";
  var panel = document.querySelector("[data-job]");
  if (!panel) return;
  var statusLabels = JSON.parse(panel.dataset.statusLabels || "{}");
  function set(name, value) {
    var element = panel.querySelector('[data-field="' + name + '"]');
    if (element) element.textContent = value === null || value === undefined ? "" : value;
    return element;
  }
  function show(job) {
    var badge = set("status", statusLabels[job.status] || job.status);
    badge.className = "badge job-" + job.status;
    set("stage_label", job.stage_label);
    set("elapsed_seconds", job.elapsed_seconds === null ? "—" : job.elapsed_seconds);
    panel.querySelector("progress").value = job.progress;
    var error = set("error", job.error);
    error.hidden = !job.error;
    if (job.status === "succeeded" && job.plan_id) {
      window.location.assign(panel.dataset.planUrl.replace(/0$/, String(job.plan_id)));
      return false;
    }
    if (job.status === "failed") {
      window.location.reload();  // the page then offers to run it again
      return false;
    }
    return true;
  }
  function poll() {
    fetch(panel.dataset.job, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) { if (job === null || show(job)) window.setTimeout(poll, 1000); })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (panel.dataset.status === "queued" || panel.dataset.status === "running") poll();
})();
