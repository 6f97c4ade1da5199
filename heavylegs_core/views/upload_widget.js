// The page side of heavylegs' upload path (heavylegs_core/views/upload_widget.py, uploads.py).
// Each chosen file is sent to the server in chunks (PUT <base>heavylegs/upload/<token>/<index>),
// never through the widget's websocket; a progress bar shows bytes and files sent, Cancel stops.
// The kernel learns the outcome from the `status` trait and checks it against what is on disk.

function xsrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

function baseUrl() {
  try {
    const el = document.getElementById('jupyter-config-data');
    const url = JSON.parse(el ? el.textContent : '{}').baseUrl || '/';
    return url.endsWith('/') ? url : `${url}/`;
  } catch {
    return '/';
  }
}

function sizeText(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} KB`;
  return `${n} bytes`;
}

class Refused extends Error {}

async function answer(res) {
  let body = {};
  try {
    body = await res.json();
  } catch {
    body = {};
  }
  if (!res.ok) {
    const why = typeof body.message === 'string' ? body.message : `the server answered ${res.status}`;
    throw new Refused(why);
  }
  return body;
}

function putChunk(url, blob, onProgress, track) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    track(xhr);
    xhr.open('PUT', url);
    xhr.setRequestHeader('X-XSRFToken', xsrfToken());
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText || '{}');
      } catch {
        body = {};
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new Refused(typeof body.message === 'string' ? body.message : `the server answered ${xhr.status}`));
    };
    xhr.onerror = () => reject(new Error('the connection to the server was lost'));
    xhr.onabort = () => reject(new Error('cancelled'));
    xhr.send(blob);
  });
}

function render({ model, el }) {
  const root = document.createElement('div');
  root.className = 'hl-stream-upload';
  const pick = document.createElement('label');
  pick.className = 'hl-upload-pick';
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  const caption = document.createElement('span');
  pick.append(input, caption);
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'hl-upload-cancel';
  cancel.textContent = 'Cancel upload';
  cancel.hidden = true;
  const bar = document.createElement('progress');
  bar.className = 'hl-upload-progress';
  bar.max = 1;
  bar.value = 0;
  bar.hidden = true;
  const line = document.createElement('span');
  line.className = 'hl-upload-status';
  line.setAttribute('role', 'status');
  root.append(pick, cancel, bar, line);
  el.append(root);

  let current = null; // the XMLHttpRequest in flight
  let cancelled = false;
  let busy = false;
  let lastSent = 0;

  const show = () => {
    caption.textContent = model.get('description');
    input.accept = model.get('accept');
    const why = model.get('unavailable');
    if (!busy) input.disabled = Boolean(why);
    if (why) line.textContent = why;
  };
  show();
  model.on('change:description', show);
  model.on('change:accept', show);
  model.on('change:unavailable', show);
  model.on('change:token', () => {
    if (!busy) input.value = '';
  });

  const report = (status, force) => {
    const now = Date.now();
    if (!force && now - lastSent < 250) return;
    lastSent = now;
    model.set('status', status);
    model.save_changes();
  };

  const progress = (s) => {
    bar.max = Math.max(s.bytes_total, 1);
    bar.value = s.bytes_done;
    line.textContent = `${sizeText(s.bytes_done)} of ${sizeText(s.bytes_total)} sent, `
      + `${s.files_done} of ${s.files_total} file${s.files_total === 1 ? '' : 's'}`;
  };

  const end = (status, text) => {
    busy = false;
    current = null;
    cancel.hidden = true;
    input.disabled = false;
    line.textContent = text;
    report(status, true);
  };

  cancel.addEventListener('click', () => {
    cancelled = true;
    if (current) current.abort();
  });

  input.addEventListener('change', async () => {
    const files = Array.from(input.files || []);
    if (!files.length || busy || model.get('unavailable')) return;
    const total = files.reduce((n, f) => n + f.size, 0);
    const base = { files_total: files.length, bytes_total: total, files_done: 0, bytes_done: 0 };
    const maxFiles = model.get('max_files');
    const maxBytes = model.get('max_bytes');
    let why = '';
    if (files.length > maxFiles) why = `${files.length} files at once is too many: upload at most ${maxFiles}`;
    else if (total > maxBytes) why = `the files add up to ${sizeText(total)}, more than ${sizeText(maxBytes)}, the limit of one upload`;
    else {
      const empty = files.find((f) => f.size === 0);
      if (empty) why = `${empty.name}: the file is empty`;
    }
    if (why) {
      input.value = '';
      end({ ...base, state: 'refused', message: why }, why);
      return;
    }
    busy = true;
    cancelled = false;
    input.disabled = true;
    cancel.hidden = false;
    bar.hidden = false;
    const s = { ...base, state: 'uploading' };
    progress(s);
    report(s, true);
    const token = model.get('token');
    const chunk = model.get('chunk_bytes');
    const done = [];
    let before = 0; // bytes of the files already complete
    try {
      for (let i = 0; i < files.length; i += 1) {
        const f = files[i];
        const url = `${baseUrl()}heavylegs/upload/${token}/${i}?name=${encodeURIComponent(f.name)}&total=${f.size}`;
        let { received } = await answer(await fetch(url, { credentials: 'same-origin' }));
        let failures = 0;
        while (received < f.size) {
          if (cancelled) throw new Error('cancelled');
          const stop = Math.min(received + chunk, f.size);
          const at = received;
          try {
            const got = await putChunk(`${url}&offset=${at}`, f.slice(at, stop), (loaded) => {
              s.bytes_done = before + at + loaded;
              progress(s);
              report(s, false);
            }, (xhr) => { current = xhr; });
            received = got.received;
            failures = 0;
          } catch (err) {
            if (cancelled || err instanceof Refused || failures >= 3) throw err;
            failures += 1; // a lost connection: ask what arrived and go on from there
            ({ received } = await answer(await fetch(url, { credentials: 'same-origin' })));
          }
        }
        before += f.size;
        done.push({ index: i, name: f.name, size: f.size });
        s.files_done = done.length;
        s.bytes_done = before;
        progress(s);
        report(s, true);
      }
    } catch (err) {
      input.value = '';
      if (cancelled) {
        end({ ...s, state: 'cancelled' }, 'Upload cancelled: nothing was imported.');
      } else {
        const msg = err instanceof Refused ? err.message : `the upload stopped: ${err.message}; choose the files again`;
        end({ ...s, state: 'error', message: msg }, msg);
      }
      return;
    }
    input.value = '';
    end({ ...s, state: 'done', files: done }, `${sizeText(total)} in ${files.length} file${files.length === 1 ? '' : 's'} received.`);
  });
}

export default { render };
