"""Charts in the apps without a network: the Altair chart widget with Vega bundled in.

:func:`offline_chart` shows an Altair chart as a widget whose JavaScript comes from
the template's static folder (or, where that is not served, over the widget's comm),
never from a CDN; :class:`ChartSelection` carries what the user selected back to Python.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from heavylegs_core.base.atomic import write_atomic
from heavylegs_core.base.paths import user_cache_dir

log = logging.getLogger("heavylegs.ui")


def _versions() -> tuple[str, str]:
    """Altair and vl-convert versions, read without importing vl-convert (about 8 MB of memory)."""
    from importlib.metadata import version

    return version("altair"), version("vl-convert-python")


def _chart_js_path() -> Path:
    alt_v, vlc_v = _versions()
    return user_cache_dir() / f"jupyterchart-altair{alt_v}-vlc{vlc_v}.js"


@functools.cache
def offline_chart_js() -> str:
    """The JupyterChart JavaScript with Vega bundled in (no CDN), cached on disk.

    Bundling with vl-convert takes a few seconds, so the result is stored in
    the user's cache folder (``$XDG_CACHE_HOME/heavylegs``), keyed by the Altair
    and vl-convert versions, and reused by every later kernel.
    """
    path = _chart_js_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    import altair as alt

    # Altair's public switch (its "offline" documentation): JupyterChart's module becomes
    # the vl-convert bundle. The module is then anywidget's ``_esm``, the attribute anywidget
    # documents for a widget's JavaScript. tests/test_dashboard.py checks both by name.
    alt.JupyterChart.enable_offline()
    src: str = str(alt.JupyterChart._esm)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, src)
    except OSError:  # a read-only home still gets working charts, only slower
        log.warning("could not cache the chart JavaScript at %s", path)
    return src



TEMPLATE_STATIC_URL = "voila/templates/heavylegs/static/"

# The widget's own JavaScript: a few hundred bytes that import the chart bundle from the
# template's static folder (one gzip-compressed, cacheable HTTP request) and, where that URL
# is not served (JupyterLab without Voila's server extension, a first kernel that could not
# publish the file), ask the kernel for the bundle over the widget's comm instead.
_LOADER_ESM = """\
const FILE = __FILE__;
const PREFIX = __PREFIX__;
let loading = null;
function staticUrl() {
  let base = "/";
  const cfg = document.getElementById("jupyter-config-data");
  if (cfg) {
    try { base = JSON.parse(cfg.textContent).baseUrl || base; } catch (e) { /* keep "/" */ }
  }
  if (!base.endsWith("/")) base += "/";
  return new URL(base + PREFIX + FILE, document.baseURI).href;
}
function fromKernel(model) {
  return new Promise((resolve, reject) => {
    const onMsg = (msg) => {
      if (!msg || msg.type !== "hl-chart-bundle") return;
      model.off("msg:custom", onMsg);
      const url = URL.createObjectURL(new Blob([msg.source], { type: "text/javascript" }));
      import(url).then(resolve, reject);
    };
    model.on("msg:custom", onMsg);
    model.send({ type: "hl-chart-bundle-request" });
  });
}
function bundle(model) {
  if (!loading) {
    const first = FILE ? import(staticUrl()) : Promise.reject(new Error("no published bundle"));
    loading = first.catch(() => fromKernel(model));
    loading.catch(() => { loading = null; });
  }
  return loading;
}
async function render(props) {
  const mod = await bundle(props.model);
  return mod.default.render(props);
}
export default { render };
"""


def template_static_dirs() -> list[Path]:
    """The ``static`` folders of every installed copy of the heavylegs Voila template.

    Voila looks templates up along ``jupyter_path("voila", "templates", ...)``; the
    package installs the template there as shared data (pyproject.toml).
    """
    from jupyter_core.paths import jupyter_path

    return [Path(d) / "static" for d in jupyter_path("voila", "templates", "heavylegs")
            if (Path(d) / "index.html.j2").is_file()]


def chart_bundle_name(source: str) -> str:
    """File name of the published bundle: versions plus a content hash (safe to cache forever)."""
    alt_v, vlc_v = _versions()
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]
    return f"jupyterchart-altair{alt_v}-vlc{vlc_v}-{digest}.js"


@functools.cache
def publish_chart_js() -> str | None:
    """Write the chart bundle into the installed template's ``static`` folder, once.

    Returns the file name Voila serves under :data:`TEMPLATE_STATIC_URL`, or None
    when no installed template folder is writable (charts then fetch the bundle
    from the kernel). The first kernel that shows a chart publishes it (from the
    cache of :func:`offline_chart_js`, which Binder's postBuild pre-builds); it is
    generated, about 900 KB, and never committed. Older bundles are removed.
    """
    source = offline_chart_js()
    name = chart_bundle_name(source)
    for folder in template_static_dirs():
        target = folder / name
        if not (target.is_file() and target.stat().st_size == len(source.encode("utf-8"))):
            try:
                folder.mkdir(exist_ok=True)
                write_atomic(target, source)
                target.chmod(0o644)
            except OSError:
                continue
        for stale in folder.glob("jupyterchart-*.js"):  # bundles of earlier versions
            if stale.name != name:
                stale.unlink(missing_ok=True)
        return name
    log.warning("could not publish the chart JavaScript to a Voila template folder")
    return None


def loader_esm(file_name: str | None) -> str:
    """The small ES module a chart widget ships instead of the ~900 KB bundle."""
    return (_LOADER_ESM.replace("__FILE__", json.dumps(file_name or ""))
            .replace("__PREFIX__", json.dumps(TEMPLATE_STATIC_URL)))


class ChartSelection:
    """The value of one selection parameter of a chart, as the browser last reported it.

    ``value``: for an interval selection ``{field: [start, end]}`` (empty when
    cleared); ``store``: Vega-Lite's raw store. Mirrors what Altair's
    ``JupyterChart.selections.<name>`` holds, without importing Altair.
    """

    __slots__ = ("name", "store", "value")

    def __init__(self, name: str, value: Any, store: list) -> None:
        self.name, self.value, self.store = name, value, store

    def __repr__(self) -> str:
        return f"ChartSelection({self.name!r}, value={self.value!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ChartSelection)
                and (self.name, self.value, self.store) == (other.name, other.value, other.store))

    __hash__ = None  # type: ignore[assignment]


def selection_names(spec: dict | None) -> list[str]:
    """Names of the top-level selection parameters of a Vega-Lite ``spec`` (where Altair puts them)."""
    if not spec:
        return []
    return [p["name"] for p in spec.get("params", []) if isinstance(p, dict) and "select" in p and "name" in p]


def to_spec(chart: Any) -> dict | None:
    """A Vega-Lite spec dict from an Altair chart (or a spec dict, returned as is).

    Altair is not asked to validate the spec against the Vega-Lite schema here: every
    chart function is validated by the tests (``to_dict()``), and validating at runtime
    costs a kernel tenths of a second per chart.
    """
    if chart is None or isinstance(chart, dict):
        return chart
    return chart.to_dict(validate=False)


@functools.cache
def _offline_chart_class() -> type:
    import anywidget
    import traitlets

    class Selections(traitlets.HasTraits):
        """One trait per selection parameter, each a :class:`ChartSelection` (observe by name)."""

        def __init__(self, names: list[str]) -> None:
            super().__init__()
            self.add_traits(**{n: traitlets.Any() for n in names})
            for n in names:
                setattr(self, n, ChartSelection(n, {}, []))

    class OfflineChart(anywidget.AnyWidget):
        """A Vega-Lite chart widget: Altair's ``JupyterChart`` protocol, fed a spec dict.

        Speaks the same model traits as ``altair.JupyterChart`` (so the same JavaScript
        renders it), but takes a ready spec, so a kernel that shows a cached spec never
        imports Altair or pandas. Ships a tiny loader instead of the inline Vega bundle.
        """

        _esm = loader_esm(publish_chart_js())
        _css = ".vega-embed { overflow: visible; }"

        spec = traitlets.Dict(allow_none=True).tag(sync=True)
        debounce_wait = traitlets.Float(default_value=10).tag(sync=True)
        max_wait = traitlets.Bool(default_value=True).tag(sync=True)
        local_tz = traitlets.Unicode(default_value=None, allow_none=True).tag(sync=True)
        embed_options = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
        _vl_selections = traitlets.Dict().tag(sync=True)
        _params = traitlets.Dict().tag(sync=True)
        _js_watch_plan = traitlets.Any(allow_none=True).tag(sync=True)
        _js_to_py_updates = traitlets.Any(allow_none=True).tag(sync=True)
        _py_to_js_updates = traitlets.Any(allow_none=True).tag(sync=True)

        def __init__(self, spec: dict | None, **kwargs: Any) -> None:
            self.selections = Selections([])
            super().__init__(**kwargs)
            self.spec = spec
            self.on_msg(self._send_bundle)

        @property
        def chart(self) -> dict | None:
            """The spec; assigning an Altair chart (or a dict) redraws (as ``JupyterChart.chart``)."""
            return self.spec

        @chart.setter
        def chart(self, value: Any) -> None:
            self.spec = to_spec(value)

        @traitlets.observe("spec")
        def _on_spec(self, change: dict) -> None:
            names = selection_names(change["new"])
            self.selections = Selections(names)  # a new chart brings new selections
            with self.hold_sync():
                self._vl_selections = {n: {"value": None, "store": []} for n in names}
                self._params = {p["name"]: p.get("value") for p in (change["new"] or {}).get("params", [])
                                if isinstance(p, dict) and "select" not in p and "name" in p}

        @traitlets.observe("_vl_selections")
        def _on_selections(self, change: dict) -> None:
            for name, sel in (change["new"] or {}).items():
                if name in self.selections.trait_names() and isinstance(sel, dict):
                    setattr(self.selections, name, ChartSelection(name, sel.get("value") or {}, sel.get("store") or []))

        def _send_bundle(self, _widget: Any, content: Any, _buffers: Any) -> None:
            if isinstance(content, dict) and content.get("type") == "hl-chart-bundle-request":
                self.send({"type": "hl-chart-bundle", "source": offline_chart_js()})

    return OfflineChart


def offline_chart(chart: Any, **kwargs: Any) -> widgets.DOMWidget:
    """An interactive chart widget that renders with no network access.

    ``chart`` is an Altair chart or a Vega-Lite spec dict (:func:`to_spec`). The
    widget speaks ``altair.JupyterChart``'s protocol (``spec``, ``chart``,
    ``selections.<name>.value``), but its JavaScript (Vega, Vega-Lite,
    vega-embed, from :func:`offline_chart_js`, never a CDN) is not sent inline
    with every widget: the widget carries a small loader that imports the bundle
    from the Voila template's static folder (:func:`publish_chart_js`; served
    gzip-compressed and cached by the browser) and falls back to asking the
    kernel for it over the widget's comm where that URL is not served (e.g.
    JupyterLab). Renders as SVG, which also makes the marks easy to test in a
    browser.
    """
    widget = _offline_chart_class()(to_spec(chart), embed_options={"renderer": "svg", "actions": {
        "export": True, "source": False, "compiled": False, "editor": False}}, **kwargs)
    widget.add_class("hl-chart")
    return widget
