/* heavylegs: tell the user when the app's Python session has stopped.

   Voila's page talks to its kernel over one websocket (/api/kernels/<id>/channels).
   This script wraps the browser's WebSocket constructor before Voila's code runs and
   watches those sockets: when the server reports the kernel as restarting or dead (it
   was killed or crashed; a restarted kernel has lost the app), or the connection closes
   and does not come back, it shows a banner (.hl-error.hl-kernel-lost) with a Restart
   button that reloads the page and so starts a fresh session. No network access. */
(function () {
  "use strict";
  var NativeWebSocket = window.WebSocket;
  if (!NativeWebSocket || window.__heavylegsKernelWatch) { return; }
  window.__heavylegsKernelWatch = true;
  var KERNEL_SOCKET = /\/api\/kernels\/[0-9a-f-]+\/channels/;
  var GRACE_MS = 5000;   // a closed socket the page re-opens within this time is not a loss
  var unloading = false;
  var open = 0;
  var shown = false;

  window.addEventListener("beforeunload", function () { unloading = true; });

  function showBanner(reason) {
    if (shown || unloading) { return; }
    shown = true;
    var box = document.createElement("div");
    box.className = "hl-error hl-kernel-lost";
    box.setAttribute("role", "alert");
    box.setAttribute("data-reason", reason);
    var inner = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = "This session has stopped.";
    var text = document.createElement("p");
    text.textContent = "The Python process behind this page ended or the connection to it was lost, " +
      "so the controls on this page no longer respond. Athlete records you saved are safe: " +
      "they are kept on disk, not in this page. Anything entered here and not yet saved is gone.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "hl-restart";
    button.textContent = "Restart";
    button.addEventListener("click", function () { window.location.reload(); });
    inner.appendChild(title);
    inner.appendChild(text);
    inner.appendChild(button);
    box.appendChild(inner);
    document.body.insertBefore(box, document.body.firstChild);
    button.focus();
  }

  // The kernel's execution_state from a status message, in either websocket protocol.
  function statusOf(data) {
    try {
      if (typeof data === "string") {
        var msg = JSON.parse(data);
        return msg.header && msg.header.msg_type === "status" ? msg.content.execution_state : null;
      }
      if (data instanceof ArrayBuffer) {   // v1.kernel.websocket.jupyter.org: offsets, channel, parts
        var view = new DataView(data);
        var count = view.getUint32(0, true);
        if (count < 6) { return null; }
        var off = [];
        for (var i = 0; i < count; i++) { off.push(view.getUint32(8 * (i + 1), true)); }
        var dec = new TextDecoder();
        var header = JSON.parse(dec.decode(new Uint8Array(data, off[1], off[2] - off[1])));
        if (header.msg_type !== "status") { return null; }
        return JSON.parse(dec.decode(new Uint8Array(data, off[4], off[5] - off[4]))).execution_state;
      }
    } catch (e) { return null; }
    return null;
  }

  function WatchedWebSocket(url, protocols) {
    var ws = protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
    if (KERNEL_SOCKET.test(String(url))) {
      ws.addEventListener("open", function () { open += 1; });
      ws.addEventListener("message", function (event) {
        var state = statusOf(event.data);
        if (state === "restarting" || state === "autorestarting" || state === "dead") {
          showBanner("kernel-" + state);
        }
      });
      ws.addEventListener("close", function () {
        open = Math.max(0, open - 1);
        setTimeout(function () { if (open === 0) { showBanner("connection-lost"); } }, GRACE_MS);
      });
    }
    return ws;
  }
  WatchedWebSocket.prototype = NativeWebSocket.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { WatchedWebSocket[k] = NativeWebSocket[k]; });
  window.WebSocket = WatchedWebSocket;
}());
