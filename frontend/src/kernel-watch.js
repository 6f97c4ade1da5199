/* heavylegs: tell the user when the app's Python session has stopped.

   The page's kernel connection (@jupyterlab/services' KernelConnection, which index.js
   opens) says what it learns through two public signals: `statusChanged` (the kernel's
   status, from the status messages the server and the kernel send, or 'dead' when the
   server reports the kernel gone) and `connectionStatusChanged` ('connected',
   'connecting' while it tries again, 'disconnected' when it gives up). When the kernel is
   restarting or dead (it was killed or crashed; a restarted kernel has lost the app), or
   the connection is lost and does not come back within GRACE_MS, a banner
   (.hl-error.hl-kernel-lost, data-reason "kernel-<status>" or "connection-lost") offers a
   Restart button that reloads the page and so starts a fresh session. No network access.

   (Issue 22: this used to wrap window.WebSocket and decode the kernel protocol by hand.) */

/** Kernel statuses that mean the app behind the page is gone. */
const STOPPED = new Set(['restarting', 'autorestarting', 'dead']);
/** A connection the page gets back within this time (ms) is not a loss. */
export const GRACE_MS = 5000;

/** Show the "session stopped" banner at the top of the page, with the keyboard on Restart. */
function showBanner(reason) {
  const box = document.createElement('div');
  box.className = 'hl-error hl-kernel-lost';
  box.setAttribute('role', 'alert');
  box.setAttribute('data-reason', reason);
  const inner = document.createElement('div');
  const title = document.createElement('strong');
  title.textContent = 'This session has stopped.';
  const text = document.createElement('p');
  text.textContent = 'The Python process behind this page ended or the connection to it was lost, ' +
    'so the controls on this page no longer respond. Athlete records you saved are safe: ' +
    'they are kept on disk, not in this page. Anything entered here and not yet saved is gone.';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'hl-restart';
  button.textContent = 'Restart';
  button.addEventListener('click', () => window.location.reload());
  inner.append(title, text, button);
  box.appendChild(inner);
  document.body.insertBefore(box, document.body.firstChild);
  button.focus();
}

/**
 * Watch `kernel` (an IKernelConnection) and show the banner once when its session stops.
 * Closing the page (which disposes the connection) shows nothing.
 */
export function watchKernel(kernel, { graceMs = GRACE_MS } = {}) {
  let unloading = false;
  let shown = false;
  let timer = null;
  window.addEventListener('beforeunload', () => { unloading = true; });

  const show = (reason) => {
    if (shown || unloading) {
      return;
    }
    shown = true;
    clearTimeout(timer);
    showBanner(reason);
  };

  kernel.statusChanged.connect((_, status) => {
    if (STOPPED.has(status)) {
      show(`kernel-${status}`);
    }
  });
  kernel.connectionStatusChanged.connect((_, status) => {
    clearTimeout(timer);
    timer = null;
    // 'connected' again, or disposed: the page is closing, or a dead kernel was reported above
    if (status === 'connected' || kernel.isDisposed) {
      return;
    }
    timer = setTimeout(() => {
      if (kernel.connectionStatus !== 'connected' && !kernel.isDisposed) {
        show('connection-lost');
      }
    }, graceMs);
  });
}
