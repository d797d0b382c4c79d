// The task page (/tasks/<id>): polls its JSON status and moves the progress bar; when done, shows the
// link to the result. Without JavaScript the page refreshes itself (meta refresh) while running.
(function () {
  "use strict";
  var box = document.getElementById("task-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var start = box.querySelector("[role=progressbar]").getAttribute("aria-valuenow");
  box.querySelector(".progress-bar").style.width = start + "%";  // CSSOM, allowed by the CSP
  function show(status) {
    var bar = box.querySelector("[role=progressbar]");
    var inner = box.querySelector(".progress-bar");
    bar.setAttribute("aria-valuenow", String(status.percent));
    inner.style.width = status.percent + "%";
    inner.textContent = status.percent + "%";
    box.querySelector(".task-state").textContent =
      status.state_label + " · " + status.done + "/" + status.total + " (" + status.percent + "%)";
    if (status.error) {
      var error = box.querySelector(".task-error");
      error.textContent = status.error;
      error.classList.remove("d-none");
      inner.classList.add("bg-danger");
    }
    if (status.result_url) {
      var result = box.querySelector(".task-result");
      result.querySelector("a").setAttribute("href", status.result_url);
      result.classList.remove("d-none");
    }
    return status.state === "queued" || status.state === "running";
  }
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (status) { if (show(status)) { window.setTimeout(poll, 1500); } })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  // The meta refresh (for pages without JavaScript) may still reload the page every 3 s while it
  // runs; the polling only moves the bar sooner and shows the link without waiting for it.
  window.setTimeout(poll, 1000);
})();
