/* heavylegs: register the service worker that keeps Voila's startup scripts compiled.

   Runs only under `heavylegs app` (the page configuration names the worker), in a secure
   context (localhost counts) whose browser has service workers. It waits until the app is
   ready (.hl-ready), or 15 s for a page without that mark, and then 3 s more, so that the
   worker's install (fetching and compiling the scripts) competes neither with the page's own
   start nor with drawing its first charts (registered as soon as the app was ready, the
   install made the charts of the landing page and the dashboard appear about 0.1 s later). The
   worker's URL lists the same-origin scripts this page ran under the worker's scope; the
   worker keeps those the server marks immutable. A failure only costs the speed-up, so it
   is logged to the console, not shown in the page. */
(function () {
  "use strict";
  var sw = window.__heavylegsServiceWorker;
  if (!sw || !("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  var LATEST_MS = 15000;
  var POLL_MS = 250;
  var AFTER_READY_MS = 3000;

  function register() {
    var scope = new URL(sw.scope, location.href);
    var query = new URLSearchParams();
    Array.prototype.map.call(document.querySelectorAll("script[src]"), function (s) { return new URL(s.src); })
      .filter(function (u) { return u.origin === location.origin && u.pathname.indexOf(scope.pathname) === 0; })
      .map(function (u) { return u.pathname + u.search; })
      .sort()
      .filter(function (u, i, all) { return i === 0 || u !== all[i - 1]; })  // once each
      .forEach(function (u) { query.append("u", u); });
    navigator.serviceWorker.register(sw.url + "?" + query.toString(), { scope: sw.scope })
      .catch(function (e) { console.warn("heavylegs: the service worker was not registered:", e); });
  }

  window.addEventListener("load", function () {
    var started = Date.now();
    var timer = setInterval(function () {
      if (document.querySelector(".hl-ready") || Date.now() - started > LATEST_MS) {
        clearInterval(timer);
        setTimeout(register, AFTER_READY_MS);
      }
    }, POLL_MS);
  });
})();
