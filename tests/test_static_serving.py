"""Static files as ``heavylegs app`` serves them (issue #11): the page's front end, cached gzip, ETags.

The heavylegs template's pages run heavylegs' own front end (``heavylegs-page.js`` and
``heavylegs-page.css``, template static files built from ``frontend/``) instead of Voila's
JavaScript. ``heavylegs_core.serve.voila_app`` gzips each static file once, answers revalidations
with 304, and lets the browser keep files whose URL names their version. What users depend
on: the bytes are the files' own, nothing stale is kept across an upgrade, malformed paths
are still refused, and pages open offline from a handful of requests.
"""

from __future__ import annotations

import gzip
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import tornado.web
from conftest import ARTIFACTS, http_get
from voila.paths import collect_static_paths
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

from heavylegs_core.serve import server
from heavylegs_core.serve.voila_app import (
    VERSIONED_MAX_AGE_S,
    CachedStaticFileHandler,
    accepts_gzip,
    encoded,
    replace_handlers,
)

ONE_WIDGET = "one_widget.ipynb"
APPS = ("00_start.ipynb", "01_assessment.ipynb", "02_dashboard.ipynb")
#: The front end's files, as the page links them: ``/voila/templates/heavylegs/static/<name>?v=<SHA-512>``
FRONT_END = re.compile(r'(/voila/templates/heavylegs/static/heavylegs-page\.(?:js|css))\?v=([0-9a-f]{128})')
TEMPLATE_STATIC = Path(__file__).resolve().parents[1] / "share/jupyter/voila/templates/heavylegs/static"


def voila_file(name: str) -> Path:
    """The file ``/voila/static/<name>`` serves (the first static root that has it)."""
    roots = collect_static_paths(["voila", "nbconvert"], "heavylegs")
    return next(Path(r, name) for r in roots if Path(r, name).is_file())


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and raw body (not decompressed) of a GET."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


# --- pure pieces -------------------------------------------------------------------------------

@pytest.mark.parametrize(("header", "ok"), [
    ("gzip, deflate, br", True), ("br;q=1.0, gzip;q=0.8", True), ("GZIP", True),
    ("gzip;q=0", False), ("deflate, br", False), ("", False), ("identity", False),
])
def test_accept_encoding_is_read_as_http_means_it(header, ok):
    assert accepts_gzip(header) is ok


def test_gzip_is_computed_once_per_version_and_decompresses_to_the_file(tmp_path):
    js = tmp_path / "chunk.js"
    js.write_text("var x = 1;\n" * 500)
    first = encoded(str(js), "text/javascript")
    assert first is not None and first.gzip is not None
    assert gzip.decompress(first.gzip) == js.read_bytes()
    assert encoded(str(js), "text/javascript") is first  # kept, not compressed again
    js.write_text("var y = 2;\n" * 500)  # a new version (new size)
    second = encoded(str(js), "text/javascript")
    assert second is not None and second.digest != first.digest
    assert gzip.decompress(second.gzip) == js.read_bytes()


def test_a_voila_handler_that_is_gone_stops_the_server_instead_of_going_unreplaced():
    class Other(tornado.web.RequestHandler):
        pass

    handlers = [(r"/voila/static/(.*)", MultiStaticFileHandler, {"paths": []}), (r"/x", Other)]
    swapped = replace_handlers(handlers, {MultiStaticFileHandler: CachedStaticFileHandler})
    assert swapped == [(r"/voila/static/(.*)", CachedStaticFileHandler, {"paths": []}), (r"/x", Other)]
    with pytest.raises(RuntimeError, match=r"Voila \S+ serves no TemplateStaticFileHandler"):
        replace_handlers(handlers, {MultiStaticFileHandler: CachedStaticFileHandler,
                                    TemplateStaticFileHandler: CachedStaticFileHandler})


# --- the template's copies of Voila's blocks (issue 22) ---------------------------------------

def _block(text: str, name: str) -> str:
    match = re.search(r"\{%-?\s*block " + name + r"\s*-?%\}(.*?)\{%-?\s*endblock " + name + r"\s*-?%\}", text, re.DOTALL)
    assert match, f"no block {name}"
    return match[1]


def _squeeze(text: str) -> str:
    """Jinja source with its lines stripped and blank lines dropped (whitespace is not markup here)."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _voila_lab() -> str:
    from jupyter_core.paths import jupyter_path

    return next(Path(d, "index.html.j2") for d in jupyter_path("voila", "templates", "lab")
                if Path(d, "index.html.j2").is_file()).read_text(encoding="utf-8")


HEAVYLEGS_TEMPLATE = TEMPLATE_STATIC.parent / "index.html.j2"
#: What the heavylegs template leaves out of Voila's lab ``notebook_css`` block (and Voila's
#: call of nbconvert's block, which the template makes itself with ``super.super()``).
DROPPED_CSS = (
    '{% if frontend == "voila" %}\n{{ resources.include_js("static/voila-style.js") }}\n{% endif %}',
    ('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/all.min.css"'
     ' type="text/css" />'),
    ('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/v4-shims.min.css"'
     ' type="text/css" />'),
    "{{ super() }}",
)


def test_the_template_keeps_voilas_notebook_css_block_but_what_it_drops():
    """Fails, naming Voila's version, when Voila's lab ``notebook_css`` block changes.

    The heavylegs template overrides that block (instead of replacing strings in its output,
    which does nothing once the markup changes): its copy must be Voila's block without
    :data:`DROPPED_CSS`, and each dropped piece must still be in Voila's block.
    """
    import voila

    theirs = _squeeze(_block(_voila_lab(), "notebook_css"))
    for piece in DROPPED_CSS:
        assert piece in theirs, (
            f"Voila {voila.__version__}'s lab notebook_css block no longer has {piece!r}: "
            "review the heavylegs template's copy of the block")
        theirs = theirs.replace(piece, "")
    ours = _squeeze(_block(HEAVYLEGS_TEMPLATE.read_text(encoding="utf-8"), "notebook_css"))
    assert _squeeze(theirs) in ours, (
        f"Voila {voila.__version__}'s lab notebook_css block differs from the heavylegs template's copy: "
        "copy it again into share/jupyter/voila/templates/heavylegs/index.html.j2, without the dropped parts")
    assert "{{ super.super() }}" in ours and "replace(" not in HEAVYLEGS_TEMPLATE.read_text(encoding="utf-8")


def test_voilas_body_footer_block_is_the_one_the_template_replaces():
    """The template's ``body_footer`` is Voila's without Voila's JavaScript; fails when Voila's changes."""
    import voila

    assert _squeeze(_block(_voila_lab(), "body_footer")) == _squeeze("""
      </div>
    </div>
    <script type="text/javascript">
      window.voila_finish();
    </script>
    {{ voila_setup_labextensions(resources.base_url, resources.labextensions) }}
    {{ super() }}"""), (f"Voila {voila.__version__}'s lab body_footer block changed: review the heavylegs "
                        "template's body_footer, which replaces it")


def test_small_or_binary_files_are_not_compressed(tmp_path):
    small, png = tmp_path / "small.js", tmp_path / "image.png"
    small.write_text("var x = 1;\n")
    png.write_bytes(b"\x89PNG" + bytes(5000))
    assert encoded(str(small), "text/javascript").gzip is None
    assert encoded(str(png), "image/png").gzip is None


# --- the server ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """``heavylegs app``'s Voila on a folder with a one-widget notebook."""
    folder = tmp_path_factory.mktemp("static-serving")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import ipywidgets as w\nb = w.Button(description='ok')\nb.add_class('hl-app'); b.add_class('hl-ready')\nb")]
    nbformat.write(nb, folder / ONE_WIDGET)
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    with server.running(server.voila_command(port, notebooks=folder), url=base + "/",
                        log=ARTIFACTS / "voila-static-serving.log"):
        yield base


@pytest.fixture(scope="module")
def page_html(served) -> str:
    status, body = http_get(f"{served}/voila/render/{ONE_WIDGET}")
    assert status == 200
    return body


def front_end_urls(html: str) -> dict[str, str]:
    """``{"js": url, "css": url}``: the front end's files as the page links them, with their ``?v=``."""
    urls = {m[1].rsplit(".", 1)[1]: f"{m[1]}?v={m[2]}" for m in FRONT_END.finditer(html)}
    assert sorted(urls) == ["css", "js"], "the page does not link heavylegs-page.js and .css with their digest"
    return urls


def test_the_page_runs_heavylegs_front_end_not_voilas(page_html):
    assert re.search(r'<script src="' + re.escape(front_end_urls(page_html)["js"]) + r'"', page_html)
    assert "voila.js" not in page_html and "voila-style.js" not in page_html
    assert "cdn.jsdelivr.net" not in page_html  # the Font Awesome links Voila's lab template adds


def test_the_page_keeps_the_rest_of_voilas_and_nbconverts_styles_in_order(page_html):
    """The template's notebook_css block: the front end's stylesheet, Voila's spinner and empty-cell
    styles, nbconvert's stylesheets (``super.super()``), then heavylegs.css."""
    marks = [front_end_urls(page_html)["css"], "<!-- voila spinner -->", "/*Hide empty cells*/",
             "/voila/templates/heavylegs/static/index.css?v=", ".hl-kernel-lost"]
    places = [page_html.find(m) for m in marks]
    assert -1 not in places, [m for m, at in zip(marks, places, strict=True) if at == -1]
    assert places == sorted(places)


def test_front_end_is_served_gzipped_once_and_identical_when_decompressed(served, page_html):
    for kind, url in front_end_urls(page_html).items():
        original = (TEMPLATE_STATIC / f"heavylegs-page.{kind}").read_bytes()
        status, headers, body = fetch(served + url, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert int(headers["content-length"]) == len(body)
        assert gzip.decompress(body) == original
        status, headers, body = fetch(served + url)  # a client without gzip gets the file as it is
        assert status == 200 and "content-encoding" not in headers and body == original


def test_a_range_request_gets_a_range_of_the_file_not_of_the_cached_gzip(served):
    status, headers, body = fetch(f"{served}/voila/static/voila.js",
                                  {"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert status == 206
    if headers.get("content-encoding") == "gzip":  # tornado's compress_response, as before issue #11
        body = gzip.decompress(body)
    assert body == voila_file("voila.js").read_bytes()[:100]


def test_matching_etag_gets_304_and_another_gets_the_file(served, page_html):
    url = served + front_end_urls(page_html)["js"]
    _, headers, _ = fetch(url, {"Accept-Encoding": "gzip"})
    etag = headers["etag"]
    status, _, body = fetch(url, {"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert status == 304 and body == b""
    status, _, body = fetch(url, {"Accept-Encoding": "gzip", "If-None-Match": '"0000"'})
    assert status == 200 and gzip.decompress(body) == (TEMPLATE_STATIC / "heavylegs-page.js").read_bytes()
    # the plain and the gzip answers are different representations: different ETags
    _, plain, _ = fetch(url)
    assert plain["etag"] != etag


def test_template_files_are_kept_only_under_their_own_digest(served, page_html):
    for url in front_end_urls(page_html).values():
        _, headers, _ = fetch(served + url, {"Accept-Encoding": "gzip"})
        assert headers["cache-control"] == f"public, max-age={VERSIONED_MAX_AGE_S}, immutable"
        # a page rendered before an upgrade names an older digest: it gets today's file, not to be kept
        _, headers, _ = fetch(served + url.split("?")[0] + "?v=0123", {"Accept-Encoding": "gzip"})
        assert headers["cache-control"] == "no-cache" and "etag" in headers
    _, headers, _ = fetch(f"{served}/voila/static/voila.js", {"Accept-Encoding": "gzip"})
    assert headers["cache-control"] == "no-cache" and "etag" in headers


def test_extension_files_are_kept_when_their_name_carries_the_requested_hash(served):
    folder = next(Path(r) for r in server_labextension_roots() if (Path(r) / "@jupyter-widgets").is_dir())
    chunk = next((folder / "@jupyter-widgets/jupyterlab-manager/static").glob("*.*.js"))
    digest = chunk.name.split(".")[1]
    url = f"{served}/voila/labextensions/@jupyter-widgets/jupyterlab-manager/static/{chunk.name}"
    status, headers, _ = fetch(url, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["cache-control"] == "no-cache"  # no ?v=: revalidated
    assert fetch(url, {"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})[0] == 304
    _, headers, body = fetch(f"{url}?v={digest}", {"Accept-Encoding": "gzip"})
    assert "immutable" in headers["cache-control"] and gzip.decompress(body) == chunk.read_bytes()
    _, headers, _ = fetch(f"{url}?v=somethingelse", {"Accept-Encoding": "gzip"})
    assert headers["cache-control"] == "no-cache"


def server_labextension_roots() -> list[str]:
    from voila.utils import get_voila_labextensions_path
    return get_voila_labextensions_path()


@pytest.mark.parametrize("path", [
    "/voila/templates/..%2f..%2f..%2fetc%2fpasswd",
    "/voila/templates/heavylegs/notstatic/index.css",
    "/voila/templates/heavylegs/static/../../../voila.json",
    "/voila/static/..%2f..%2f..%2fetc%2fpasswd",
])
def test_malformed_static_paths_are_refused(served, path):
    status, _, body = fetch(served + path)
    assert status in (403, 404)
    assert b"root:" not in body


# --- in the browser -----------------------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.parametrize("notebook", APPS)
def test_the_apps_open_offline_from_the_page_and_its_front_end(guarded_page, voila_url, notebook):
    """An app page fetches its HTML, the front end, the theme's stylesheets and (with charts) the
    chart library, nothing of Voila's JavaScript or the JupyterLab extensions, and no other host."""
    page = guarded_page
    urls: list[str] = []
    page.on("request", lambda r: urls.append(urllib.parse.urlsplit(r.url).path))
    page.goto(f"{voila_url}/voila/render/{notebook}")
    page.locator(".hl-ready").first.wait_for(state="visible", timeout=180_000)
    page.wait_for_timeout(1000)
    fetched = [u for u in urls if not u.startswith(("/api/kernels/", "data:", "blob:"))]
    static = sorted(u.rsplit("/", 1)[1] for u in fetched if u.startswith("/voila/templates/"))
    assert [u for u in fetched if u.startswith("/voila/render/")] == [f"/voila/render/{notebook}"]
    assert {"heavylegs-page.js", "heavylegs-page.css", "index.css", "theme-light.css"} <= set(static)
    assert set(static) - {"heavylegs-page.js", "heavylegs-page.css", "index.css", "theme-light.css"} <= {
        n for n in static if n.startswith("jupyterchart-")}
    assert not [u for u in fetched if u.startswith(("/voila/static/", "/voila/labextensions/"))]
    assert len(fetched) == len(set(fetched)), f"fetched twice: {fetched}"


@pytest.mark.e2e
def test_a_second_visit_takes_the_front_end_from_the_browser_cache(browser, served):
    """A coach who opened the app before: the front end is not downloaded again.

    (Not on ``guarded_page``: Playwright turns the HTTP cache off in a context that routes
    requests; the requests are checked for the loopback host here instead.)
    """
    context = browser.new_context()
    hosts: set[str] = set()
    errors: list[str] = []
    context.on("request", lambda r: hosts.add(urllib.parse.urlsplit(r.url).hostname or ""))
    try:
        sizes = []
        for _ in range(2):
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{served}/voila/render/{ONE_WIDGET}")
            page.locator(".hl-ready").first.wait_for(state="visible", timeout=120_000)
            sizes.append(page.evaluate("""() => performance.getEntriesByType('resource')
                .filter(e => e.name.includes('/heavylegs-page.')).map(e => [e.name.split('?')[0], e.transferSize])"""))
            page.close(run_before_unload=True)
        assert len(sizes[0]) == 2 and all(size > 0 for _, size in sizes[0])  # the first visit downloads them
        assert len(sizes[1]) == 2 and all(size == 0 for _, size in sizes[1]), f"fetched again: {sizes[1]}"
    finally:
        context.close()
    assert hosts <= {server.HOST} and not errors, (hosts, errors)
