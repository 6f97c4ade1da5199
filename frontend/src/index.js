/* heavylegs' page front end for Voila (issue #11).

   Voila renders a notebook's outputs into the page as JSON (<script type=
   "application/vnd.voila.cell-output+json">) and leaves it to the page's JavaScript to
   connect to the notebook's kernel and draw the widgets. Voila's own front end does this
   by starting most of JupyterLab (about 4.5 MB of JavaScript, with its notebook, console
   and LSP packages); a browser's first visit spends most of its time compiling it. This
   one does only what heavylegs' pages need, with the same widget libraries JupyterLab
   uses (@jupyter-widgets/base, controls, base-manager, @jupyterlab/services, anywidget):

   1. it reads the page configuration Voila wrote (#jupyter-config-data: base URL, kernel id);
   2. it opens the kernel's websocket and asks the kernel for the state of every widget;
   3. it draws each output: a widget view, or HTML or text as Voila's front end would
      (printed text too: a stream output is shown as text, never as an empty box);
   4. it listens for widgets the kernel creates later;
   5. when the page is closed, it asks Voila to shut the kernel down.

   Failures are shown in the page (.hl-error), never only in the console. A kernel that
   stops or a connection that is lost is reported by kernel-watch.js, which listens to the
   kernel connection's public status signals. */

import * as base from '@jupyter-widgets/base';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import * as controls from '@jupyter-widgets/controls';
import { KernelConnection } from '@jupyterlab/services/lib/kernel/default';
import { ServerConnection } from '@jupyterlab/services/lib/serverconnection';
import { Widget } from '@lumino/widgets';
import anywidget from 'anywidget';

import { watchKernel } from './kernel-watch.js';
import '@jupyter-widgets/base/css/index.css';
import '@jupyter-widgets/controls/css/widgets.css';
import './page.css';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
const CELL_OUTPUT = 'script[type="application/vnd.voila.cell-output+json"]';
const ANSI_CODE = /\x1b\[[0-9;]*[A-Za-z]/g;

/** What a widget the page cannot draw shows instead (in place of ipywidgets' icon): a visible error. */
class PageErrorView extends base.ErrorWidgetView {
  render() {
    this.el.classList.add('jupyter-widgets', 'hl-error', 'hl-page-error');
    this.el.setAttribute('role', 'alert');
    this.el.textContent = `This part of the page could not be drawn: ${this.model.get('msg')}`;
  }
}

/** The widget manager: widget models and views, synchronised over the kernel's comms. */
class PageWidgetManager extends ManagerBase {
  /** @param {import('@jupyterlab/services').Kernel.IKernelConnection} kernel */
  constructor(kernel) {
    super();
    this.kernel = kernel;
    /** Modules the kernel's widgets may name, by npm name (Python's `_model_module`). A widget
        whose class cannot be loaded becomes an error model, drawn by PageErrorView. */
    this.modules = new Map([
      ['@jupyter-widgets/base', { ...base, ErrorWidgetView: PageErrorView }],
      ['@jupyter-widgets/controls', controls],
    ]);
    kernel.registerCommTarget(this.comm_target_name, (comm, msg) =>
      this.handle_comm_open(new base.shims.services.Comm(comm), msg),
    );
  }

  /** Load every widget the kernel holds (one request over the widgets' control comm). */
  restore() {
    return this._loadFromKernel();
  }

  async loadClass(className, moduleName, moduleVersion) {
    if (moduleName === 'anywidget' && !this.modules.has(moduleName)) {
      this.modules.set(moduleName, anywidget(base));
    }
    const module = this.modules.get(moduleName);
    if (!module || !module[className]) {
      throw new Error(`the widget ${className} of ${moduleName} ${moduleVersion} is not available in this page`);
    }
    return module[className];
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(targetName, modelId);
    if (data || metadata) {
      comm.open(data, metadata, buffers);
    }
    return new base.shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === 'ok' ? reply.content.comms : {};
  }
}

/** A visible error inside `parent`, in Voila's markup for an error output (stderr text). */
function showError(parent, message) {
  const pre = document.createElement('pre');
  pre.className = 'jp-RenderedText hl-error hl-page-error';
  pre.setAttribute('data-mime-type', 'application/vnd.jupyter.stderr');
  pre.setAttribute('role', 'alert');
  pre.textContent = message;
  parent.appendChild(pre);
  return pre;
}

/** Text of a notebook output field: a string, or a list of strings (nbformat's multiline), ANSI codes removed. */
function plainText(value) {
  return (Array.isArray(value) ? value.join('') : String(value ?? '')).replace(ANSI_CODE, '');
}

/** `text` as a text output in `node` (a <pre>, as JupyterLab draws one), with its mime type. */
function drawText(node, text, mimeType) {
  node.classList.add('jp-RenderedText');
  node.setAttribute('data-mime-type', mimeType);
  const pre = document.createElement('pre');
  pre.textContent = text; // text, never markup
  node.appendChild(pre);
}

/** Draw one cell output (Voila's JSON) in place of its script element; an output with
    nothing to show (an empty print, a type this page cannot draw) leaves no empty box. */
async function renderOutput(manager, script) {
  const node = document.createElement('div');
  node.className = 'jp-OutputArea-output';
  script.replaceWith(node);
  try {
    const output = JSON.parse(script.textContent);
    const data = output.data || {};
    if (output.output_type === 'stream') { // print(): stdout, or stderr
      const text = plainText(output.text);
      if (!text) {
        node.remove();
        return;
      }
      drawText(node, text, `application/vnd.jupyter.${output.name === 'stderr' ? 'stderr' : 'stdout'}`);
    } else if (output.output_type === 'error') { // Voila has replaced the traceback when it hides tracebacks
      const text = plainText((output.traceback || []).join('\n')) || `${output.ename}: ${output.evalue}`;
      drawText(node, text, 'application/vnd.jupyter.stderr');
      node.classList.add('hl-error');
      node.setAttribute('role', 'alert');
    } else if (data[WIDGET_VIEW]) {
      const model = await manager.get_model(data[WIDGET_VIEW].model_id);
      const view = await manager.create_view(model);
      Widget.attach(view.luminoWidget, node);
    } else if (typeof data['text/html'] === 'string') {
      node.classList.add('jp-RenderedHTMLCommon');
      node.innerHTML = data['text/html']; // the notebook's own output (Voila marks it trusted); scripts do not run
    } else if (plainText(data['text/plain'])) {
      const pre = document.createElement('pre');
      pre.textContent = plainText(data['text/plain']);
      node.appendChild(pre);
    } else {
      node.remove();
    }
  } catch (err) {
    showError(node, `This part of the page could not be drawn: ${err?.message ?? err}`);
  }
}

/** Show the page once its styles are in (Voila's template hides the cells until then). */
function reveal() {
  window.themeLoaded = true;
  if (window.cellLoaded && typeof window.voila_finish === 'function') {
    window.voila_finish();
  }
}

async function start() {
  reveal();
  const config = JSON.parse(document.getElementById('jupyter-config-data')?.textContent || '{}');
  if (!config.kernelId) {
    throw new Error('the page names no Python session');
  }
  // base URL, websocket URL and token as the page configuration gives them (Voila's own way)
  const serverSettings = ServerConnection.makeSettings();
  const kernel = new KernelConnection({ model: { id: config.kernelId, name: '' }, serverSettings });
  watchKernel(kernel); // the "session stopped" banner (kernel-watch.js)
  // As Voila's front end does: closing the page shuts its kernel down (not left to the culler)
  window.addEventListener('beforeunload', () => {
    const form = new FormData();
    form.append('_xsrf', document.cookie.match('\\b_xsrf=([^;]*)\\b')?.[1] ?? '');
    navigator.sendBeacon(`${serverSettings.baseUrl}voila/api/shutdown/${kernel.id}`, form);
    kernel.dispose();
  });
  const manager = new PageWidgetManager(kernel);
  // for the browser's console, and the tests that send widget state around the controls
  window.heavylegsPage = { kernel, widgetManager: manager };
  await manager.restore();
  await Promise.all(Array.from(document.querySelectorAll(CELL_OUTPUT), (s) => renderOutput(manager, s)));
}

start().catch((err) => {
  const root = document.getElementById('rendered_cells') || document.body;
  const box = showError(root, `This page could not connect to its Python session (${err?.message ?? err}). ` +
    'Reload the page to start a new session.');
  root.prepend(box);
});
