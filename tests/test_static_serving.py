"""Voila's static files as ``heavylegs app`` serves them (issue #11): cached gzip, ETags, versioned caching.

Opening an app loads about 100 JavaScript files. ``heavylegs_core.voila_app`` gzips each
once, answers revalidations with 304, lets the browser keep files whose URL names their
version, runs Voila's startup chunks from one bundle and announces the extensions'
entry files early, and registers a service worker that keeps the versioned startup
scripts in Cache Storage. What users depend on: the bytes are Voila's own, nothing stale
is kept across an upgrade, malformed paths are still refused, and pages still open offline.
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
from conftest import ARTIFACTS, http_get
from voila.paths import collect_static_paths

from heavylegs_core import server
from heavylegs_core.voila_app import (
    EXTENSION_CHUNKS,
    EXTENSIONS_BUNDLE,
    SERVICE_WORKER,
    STARTUP_BUNDLE,
    STARTUP_CHUNKS,
    VERSIONED_MAX_AGE_S,
    accepts_gzip,
    encoded,
    extension_chunk_files,
    page_config_extras,
    static_version,
    voila_chunk_files,
    write_bundle,
)

ONE_WIDGET = "one_widget.ipynb"
APPS = ("00_start.ipynb", "01_assessment.ipynb", "02_dashboard.ipynb")
CHUNK = re.compile(r"/(\d+)\.voila\.js(?:\?|$)")
#: An extension's webpack chunk: ``/voila/labextensions/<name>/static/<id>.<hash>.js``
EXTENSION_CHUNK = re.compile(r"/voila/labextensions/(.+)/static/(\d+)\.[0-9a-f]+\.js(?:\?|$)")


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


def test_small_or_binary_files_are_not_compressed(tmp_path):
    small, png = tmp_path / "small.js", tmp_path / "image.png"
    small.write_text("var x = 1;\n")
    png.write_bytes(b"\x89PNG" + bytes(5000))
    assert encoded(str(small), "text/javascript").gzip is None
    assert encoded(str(png), "image/png").gzip is None


def test_static_version_changes_when_a_file_is_added_or_replaced(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (root / "voila.js").write_text("one")
    v1 = static_version((str(root),))
    assert re.fullmatch(r"[0-9a-f]{16}", v1)
    assert static_version((str(root),)) == v1
    (root / "1234.voila.js").write_text("chunk")
    v2 = static_version((str(root),))
    assert v2 != v1
    (root / "new.js").write_text("replacement")  # as an installer does: write aside, then rename over
    (root / "new.js").replace(root / "voila.js")
    assert static_version((str(root),)) not in (v1, v2)


def test_startup_bundle_holds_the_chunk_files_of_the_first_root_that_has_them(tmp_path):
    first, second, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    for d in (first, second, out):
        d.mkdir()
    (first / "1.voila.js").write_text("(self.w=self.w||[]).push([[1],{}])")
    (second / "1.voila.js").write_text("shadowed")
    (second / "2.voila.js").write_text("(self.w=self.w||[]).push([[2],{}])")
    files = voila_chunk_files((str(first), str(second)), chunks=(1, 2, 3))
    assert files == [first / "1.voila.js", second / "2.voila.js"]
    assert write_bundle(files, out / STARTUP_BUNDLE) == 2
    text = (out / STARTUP_BUNDLE).read_text()
    assert text == "(self.w=self.w||[]).push([[1],{}])\n;\n(self.w=self.w||[]).push([[2],{}])\n;\n"


def test_extension_chunks_are_the_hashed_files_of_the_first_folder_that_has_the_extension(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "@scope/ext/static").mkdir(parents=True)
    (second / "@scope/ext/static").mkdir(parents=True)
    (second / "plain/static").mkdir(parents=True)
    for name in ("7.2a0ce575.js", "70.abc123.js", "7.2a0ce575.js.LICENSE.txt", "remoteEntry.ff.js"):
        (first / "@scope/ext/static" / name).write_text(name)
    (second / "@scope/ext/static/9.beef.js").write_text("shadowed: the first folder has the extension")
    (second / "plain/static/2.d9f5934c.js").write_text("2")
    (second / "plain/static/3.aa.js").write_text("a stale build")
    (second / "plain/static/3.bb.js").write_text("beside a new one: neither is sure to be the one loaded")
    files = extension_chunk_files((str(first), str(second)),
                                  {"@scope/ext": (7, 9), "plain": (2, 3, 4), "missing": (1,)})
    assert files == [first / "@scope/ext/static/7.2a0ce575.js", second / "plain/static/2.d9f5934c.js"]


def test_every_recorded_extension_chunk_is_installed():
    files = extension_chunk_files(tuple(server_labextension_roots()))
    assert len(files) == sum(len(ids) for ids in EXTENSION_CHUNKS.values())


def test_page_config_points_at_versioned_files_and_the_extensions_entries():
    config = {
        "fullStaticUrl": "/base/voila/static", "fullLabextensionsUrl": "/base/voila/labextensions",
        "federated_extensions": [{"name": "anywidget", "load": "./static/remoteEntry.698dcaf7.js"},
                                 {"name": "@scope/ext", "load": "static/remoteEntry.abc.js"}],
    }
    out = page_config_extras(dict(config), "/base/", "0123456789abcdef", [STARTUP_BUNDLE, EXTENSIONS_BUNDLE])
    assert out["fullStaticUrl"] == "/base/voila/static/_v/0123456789abcdef"
    assert out["heavylegsStartupScripts"] == [f"/base/voila/static/_v/0123456789abcdef/{STARTUP_BUNDLE}",
                                              f"/base/voila/static/_v/0123456789abcdef/{EXTENSIONS_BUNDLE}"]
    assert out["heavylegsPreload"] == ["/base/voila/labextensions/anywidget/static/remoteEntry.698dcaf7.js",
                                       "/base/voila/labextensions/@scope/ext/static/remoteEntry.abc.js"]
    assert out["heavylegsServiceWorker"] == {"url": f"/base/voila/static/{SERVICE_WORKER}", "scope": "/base/voila/"}
    assert page_config_extras(dict(config), "/base/", "0123456789abcdef", [])["heavylegsStartupScripts"] == []


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


def versioned_prefix(html: str) -> str:
    match = re.search(r'<script src="(/voila/static/_v/[0-9a-f]{16})/voila\.js"></script>', html)
    assert match, "the page does not load voila.js from a versioned path"
    return match[1]


def test_voila_js_is_served_gzipped_once_and_identical_when_decompressed(served, page_html):
    url = served + versioned_prefix(page_html) + "/voila.js"
    original = voila_file("voila.js").read_bytes()
    status, headers, body = fetch(url, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert int(headers["content-length"]) == len(body)
    assert gzip.decompress(body) == original
    status, headers, body = fetch(url)  # a client without gzip gets the file as it is
    assert status == 200 and "content-encoding" not in headers and body == original


def test_a_range_request_gets_a_range_of_the_file_not_of_the_cached_gzip(served):
    status, headers, body = fetch(f"{served}/voila/static/voila.js",
                                  {"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert status == 206
    if headers.get("content-encoding") == "gzip":  # tornado's compress_response, as before issue #11
        body = gzip.decompress(body)
    assert body == voila_file("voila.js").read_bytes()[:100]


def test_matching_etag_gets_304_and_another_gets_the_file(served, page_html):
    url = served + versioned_prefix(page_html) + "/voila.js"
    _, headers, _ = fetch(url, {"Accept-Encoding": "gzip"})
    etag = headers["etag"]
    status, _, body = fetch(url, {"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert status == 304 and body == b""
    status, _, body = fetch(url, {"Accept-Encoding": "gzip", "If-None-Match": '"0000"'})
    assert status == 200 and gzip.decompress(body) == voila_file("voila.js").read_bytes()
    # the plain and the gzip answers are different representations: different ETags
    _, plain, _ = fetch(url)
    assert plain["etag"] != etag


def test_versioned_urls_are_kept_a_year_and_others_revalidated(served, page_html):
    prefix = versioned_prefix(page_html)
    _, headers, _ = fetch(served + prefix + "/voila.js", {"Accept-Encoding": "gzip"})
    assert headers["cache-control"] == f"public, max-age={VERSIONED_MAX_AGE_S}, immutable"
    _, headers, _ = fetch(f"{served}/voila/static/voila.js", {"Accept-Encoding": "gzip"})
    assert headers["cache-control"] == "no-cache" and "etag" in headers
    # a page rendered before an upgrade names an older version: it gets today's file, not to be kept
    status, headers, body = fetch(f"{served}/voila/static/_v/0000000000000000/voila.js")
    assert status == 200 and headers["cache-control"] == "no-cache"
    assert body == voila_file("voila.js").read_bytes()


def test_template_files_are_kept_only_under_their_own_digest(served, page_html):
    match = re.search(r'href="(/voila/templates/heavylegs/static/[^"?]+\.css)\?v=([0-9a-f]+)"', page_html)
    assert match, "the page links no template stylesheet"
    _, headers, _ = fetch(f"{served}{match[1]}?v={match[2]}", {"Accept-Encoding": "gzip"})
    assert "immutable" in headers["cache-control"]
    _, headers, _ = fetch(f"{served}{match[1]}?v=0123", {"Accept-Encoding": "gzip"})
    assert headers["cache-control"] == "no-cache"


def test_extension_files_are_kept_when_their_name_carries_the_requested_hash(served, page_html):
    entries = re.findall(r'<link rel="preload" as="script" href="(/voila/labextensions/[^"]+)">', page_html)
    assert any("jupyterlab-manager" in e for e in entries)
    for entry in entries:
        status, headers, body = fetch(served + entry, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["cache-control"] == "no-cache"  # no ?v=: revalidated
        assert fetch(served + entry, {"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})[0] == 304
    folder = next(Path(r) for r in server_labextension_roots() if (Path(r) / "@jupyter-widgets").is_dir())
    chunk = next((folder / "@jupyter-widgets/jupyterlab-manager/static").glob("*.*.js"))
    digest = chunk.name.split(".")[1]
    url = f"{served}/voila/labextensions/@jupyter-widgets/jupyterlab-manager/static/{chunk.name}"
    _, headers, body = fetch(f"{url}?v={digest}", {"Accept-Encoding": "gzip"})
    assert "immutable" in headers["cache-control"] and gzip.decompress(body) == chunk.read_bytes()
    _, headers, _ = fetch(f"{url}?v=somethingelse", {"Accept-Encoding": "gzip"})
    assert headers["cache-control"] == "no-cache"


def server_labextension_roots() -> list[str]:
    from voila.utils import get_voila_labextensions_path
    return get_voila_labextensions_path()


def bundle_text(served: str, page_html: str, name: str) -> str:
    """The bundle ``name`` as the page links it (before voila.js), decompressed."""
    src = re.search(rf'<script src="(/voila/static/_v/[0-9a-f]{{16}}/{re.escape(name)})"></script>', page_html)
    assert src, f"the page does not run {name}"
    assert page_html.index(src[0]) < page_html.index("/voila.js\"></script>")  # before voila.js
    _, headers, body = fetch(served + src[1], {"Accept-Encoding": "gzip"})
    assert "immutable" in headers["cache-control"]
    return gzip.decompress(body).decode("utf-8")


def test_startup_bundle_is_voilas_own_chunks(served, page_html):
    text = bundle_text(served, page_html, STARTUP_BUNDLE)
    for chunk in STARTUP_CHUNKS:
        assert voila_file(f"{chunk}.voila.js").read_text(encoding="utf-8").rstrip() in text


def test_extensions_bundle_is_the_installed_extensions_chunks(served, page_html):
    text = bundle_text(served, page_html, EXTENSIONS_BUNDLE)
    files = extension_chunk_files(tuple(server_labextension_roots()))
    assert files and all(f.read_text(encoding="utf-8").rstrip() in text for f in files)


@pytest.mark.parametrize("path", [
    "/voila/templates/..%2f..%2f..%2fetc%2fpasswd",
    "/voila/templates/heavylegs/notstatic/index.css",
    "/voila/templates/heavylegs/static/../../../voila.json",
    "/voila/static/_v/0123456789abcdef/..%2f..%2f..%2fetc%2fpasswd",
])
def test_malformed_static_paths_are_refused(served, path):
    status, _, body = fetch(served + path)
    assert status in (403, 404)
    assert b"root:" not in body


# --- in the browser -----------------------------------------------------------------------------

@pytest.mark.e2e
def test_page_is_ready_offline_without_fetching_chunks_one_by_one(guarded_page, served):
    page = guarded_page
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{served}/voila/render/{ONE_WIDGET}")
    page.locator(".hl-ready").first.wait_for(state="visible", timeout=120_000)
    assert not [u for u in urls if CHUNK.search(u)], "Voila chunks fetched one by one: the bundle was not used"
    assert not [u for u in urls if EXTENSION_CHUNK.search(u)], "extension chunks fetched: the bundle was not used"


@pytest.mark.e2e
def test_a_second_visit_takes_voilas_javascript_from_the_browser_cache(browser, served):
    """A coach who opened the app before: nothing under the versioned path is downloaded again.

    (Not on ``guarded_page``: Playwright turns the HTTP cache off in a context that routes
    requests; the requests are checked for the loopback host here instead.)
    """
    context = browser.new_context()
    hosts: set[str] = set()
    errors: list[str] = []
    context.on("request", lambda r: hosts.add(urllib.parse.urlsplit(r.url).hostname or ""))
    try:
        for _ in range(2):
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{served}/voila/render/{ONE_WIDGET}")
            page.locator(".hl-ready").first.wait_for(state="visible", timeout=120_000)
            fetched = page.evaluate("""() => performance.getEntriesByType('resource')
                .filter(e => e.name.includes('/voila/static/_v/') && e.transferSize > 0).map(e => e.name)""")
            page.close(run_before_unload=True)
        assert fetched == [], f"fetched again although versioned: {fetched}"
    finally:
        context.close()
    assert hosts <= {server.HOST} and not errors, (hosts, errors)


@pytest.mark.e2e
@pytest.mark.parametrize("notebook", APPS)
def test_the_apps_load_no_chunk_outside_the_bundles(guarded_page, voila_url, notebook):
    """Fails when a Voila or extension upgrade (or a new widget) needs chunks the bundles do not hold.

    Then add the ids this test names to ``heavylegs_core.voila_app.STARTUP_CHUNKS`` or
    ``EXTENSION_CHUNKS``: the pages still work without them, each missing chunk only costs
    a request.
    """
    page = guarded_page
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{voila_url}/voila/render/{notebook}")
    page.locator(".hl-ready").first.wait_for(state="visible", timeout=180_000)
    page.wait_for_timeout(1000)
    missing = sorted({int(m[1]) for u in urls if (m := CHUNK.search(u))})
    assert missing == [], f"chunks fetched outside the startup bundle: {missing}"
    extensions = sorted({(m[1], int(m[2])) for u in urls if (m := EXTENSION_CHUNK.search(u))})
    assert extensions == [], f"extension chunks fetched outside the extensions bundle: {extensions}"


# --- the service worker --------------------------------------------------------------------------

def test_service_worker_is_served_revalidated_with_the_scope_of_voilas_pages(served):
    status, headers, body = fetch(f"{served}/voila/static/{SERVICE_WORKER}")
    assert status == 200 and b"addEventListener(\"fetch\"" in body
    assert "javascript" in headers["content-type"]
    assert headers["service-worker-allowed"] == "/voila/"
    assert headers["cache-control"] == "no-cache"  # a changed worker reaches browsers at once
    status, headers, _ = fetch(f"{served}{versioned_prefix(http_get(f'{served}/voila/render/{ONE_WIDGET}')[1])}/voila.js")
    assert status == 200 and "service-worker-allowed" not in headers


#: In a page: wait (up to 30 s) for the active worker; null if none, else the URLs in each heavylegs cache.
WORKER_CACHES = """async () => {
    const reg = await Promise.race([navigator.serviceWorker.ready, new Promise(r => setTimeout(() => r(null), 30000))]);
    if (!reg) return null;
    const out = {};
    for (const name of await caches.keys()) {
        if (name.startsWith('heavylegs-static-')) out[name] = (await (await caches.open(name)).keys()).map(q => q.url);
    }
    return out;
}"""


def open_ready(context, url: str, errors: list[str]):
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(url)
    page.locator(".hl-ready").first.wait_for(state="visible", timeout=120_000)
    return page, responses


@pytest.mark.e2e
def test_a_later_tab_runs_the_versioned_startup_scripts_from_the_service_worker(browser, served):
    """A coach opens an app again in a new tab: Voila's scripts come from Cache Storage, compiled.

    The worker keeps exactly the versioned scripts (nothing the server may change under the
    same URL); the page itself comes from the server.
    """
    context = browser.new_context()
    errors: list[str] = []
    hosts: set[str] = set()
    context.on("request", lambda r: hosts.add(urllib.parse.urlsplit(r.url).hostname or ""))
    url = f"{served}/voila/render/{ONE_WIDGET}"
    try:
        first, _ = open_ready(context, url, errors)
        cached = first.evaluate(WORKER_CACHES)
        assert cached is not None, "the service worker did not become active"
        assert len(cached) == 1
        kept = sorted(urllib.parse.urlsplit(u).path.rsplit("/", 1)[1] for u in next(iter(cached.values())))
        assert kept == sorted([EXTENSIONS_BUNDLE, STARTUP_BUNDLE, "voila-style.js", "voila.js"])
        assert all("/_v/" in u or "?v=" in u for u in next(iter(cached.values())))
        first.close(run_before_unload=True)

        second, responses = open_ready(context, url, errors)
        served_by = {urllib.parse.urlsplit(r.url).path.rsplit("/", 1)[1]: r.from_service_worker for r in responses}
        for name in (STARTUP_BUNDLE, EXTENSIONS_BUNDLE, "voila.js", "voila-style.js"):
            assert served_by[name], f"{name} did not come from the service worker"
        assert not served_by[ONE_WIDGET], "the page itself must come from the server"
        second.close(run_before_unload=True)
    finally:
        context.close()
    assert hosts <= {server.HOST} and not errors, (hosts, errors)


@pytest.mark.e2e
def test_a_new_worker_version_replaces_the_old_cache_and_skips_unversioned_urls(browser, served):
    """After an upgrade the page registers a worker with other URLs: the old cache goes, nothing unversioned is kept."""
    context = browser.new_context()
    errors: list[str] = []
    try:
        page, _ = open_ready(context, f"{served}/voila/render/{ONE_WIDGET}", errors)
        old = page.evaluate(WORKER_CACHES)
        assert old is not None and len(old) == 1
        voila_js = next(u for u in next(iter(old.values())) if u.endswith("/voila.js"))
        unversioned = f"{served}/voila/static/voila.js"  # revalidated on each use: must not be kept
        new = page.evaluate("""async ([worker, urls]) => {
            const query = new URLSearchParams(urls.map(u => ['u', new URL(u).pathname]));
            const reg = await navigator.serviceWorker.register(worker + '?' + query, {scope: '/voila/'});
            const w = reg.installing || reg.waiting || reg.active;
            await new Promise((done, fail) => {
                if (w.state === 'activated') return done();
                w.addEventListener('statechange', () => w.state === 'activated' ? done()
                    : w.state === 'redundant' ? fail(new Error('the new worker failed')) : null);
            });
        }""", [f"/voila/static/{SERVICE_WORKER}", [voila_js, unversioned]])
        new = page.evaluate(WORKER_CACHES)  # every heavylegs cache, old ones included if not deleted
        assert len(new) == 1 and set(new) != set(old), new
        assert next(iter(new.values())) == [voila_js]
        page.close(run_before_unload=True)
    finally:
        context.close()
    assert not errors, errors
