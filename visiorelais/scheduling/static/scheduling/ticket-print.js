// The ticket page follows a print sent to a kiosk: it asks where the print stands every second until the
// bridge has said "printed" or "failed" (or the server gives up waiting), and shows the sentence it gets.
(function () {
  "use strict";
  var status = document.getElementById("impression-etat");
  if (!status || !status.dataset.following) return;
  var url = status.dataset.statusUrl;
  var deadline = Date.now() + 120000;

  function show(entry) {
    status.textContent = entry.message;
    status.className = entry.finished ? (entry.succeeded ? "success" : "error") : "";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && body.print) show(body.print);
        if (!(body && body.print && body.print.finished) && Date.now() < deadline) setTimeout(poll, 1000);
      })
      .catch(function () { if (Date.now() < deadline) setTimeout(poll, 2000); });
  }

  setTimeout(poll, 1000);
})();
