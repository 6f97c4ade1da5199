"""What the served workbook refuses: files, sources, the athlete database, Jupyter's APIs, kernel code.

The server is started exactly as ``heavylegs app`` starts it (``server.voila_command``
from the project root, so ``voila.json`` applies, on the real notebooks folder), with
the user's data folder somewhere else. Every probe is listed with the status code it
got in ``test-artifacts/exposure-probes.md`` and on the terminal.

This covers the standalone ``heavylegs app``. On Binder, Voila runs inside a full
Jupyter server whose user owns a Jupyter Lab anyway: there these rules are not the
protection (and not promised), see ``test_jupyter_server_extension_is_not_a_sandbox``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import websocket
from conftest import ARTIFACTS, http_get
from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)

from heavylegs_core.base.paths import NOTEBOOKS_DIR, PROJECT_ROOT, user_data_dir
from heavylegs_core.io.store import DB_FILENAME
from heavylegs_core.serve import server

TABLE: list[tuple[str, str, str, str]] = []  # (server, probe, status(es), verdict)


@dataclass
class Served:
    base: str
    data_dir: Path
    name: str


def _db(path: Path) -> Path:
    """A small SQLite database like the athlete store (its bytes start with 'SQLite format 3')."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE athletes (name TEXT)")
        con.execute("INSERT INTO athletes VALUES ('Secret Runner')")
    return path


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[Served]:
    """The workbook served as ``heavylegs app`` serves it; the data folder holds a real database."""
    data = tmp_path_factory.mktemp("user-data")
    env = {**os.environ, "HEAVYLEGS_DATA_DIR": str(data)}
    _db(data / DB_FILENAME)
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    with server.running(server.voila_command(port), url=base + "/", env=env,
                        log=ARTIFACTS / "voila-exposure.log"):
        yield Served(base, data, "app")


@pytest.fixture(scope="module")
def decoy(tmp_path_factory) -> Iterator[Served]:
    """The same command on a folder where someone left a database, data and code beside a notebook."""
    root = tmp_path_factory.mktemp("decoy")
    tree = root / "served"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('hello')")]
    tree.mkdir()
    nbformat.write(nb, tree / "app.ipynb")
    for name in (DB_FILENAME, "heavylegs.db"):
        _db(tree / name)
        _db(tree / "data" / name)
        _db(root / "outside" / name)
    (tree / "athlete.csv").write_text("date,sleep_h\n2026-01-01,7\n")
    (tree / "helper.py").write_text("TOKEN = 'x'\n")
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    with server.running(server.voila_command(port, notebooks=tree), url=base + "/"):
        yield Served(base, root, "decoy")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def probe(base: str, path: str, method: str = "GET") -> tuple[list[int], bytes]:
    """Status codes along the redirect chain (at most 3 hops) and the final body."""
    statuses: list[int] = []
    url = base + path
    for _ in range(4):
        req = urllib.request.Request(url, method=method)
        try:
            with _OPENER.open(req, timeout=120) as r:
                statuses.append(r.status)
                return statuses, r.read()
        except urllib.error.HTTPError as e:
            statuses.append(e.code)
            body = e.read()
            if e.code in (301, 302, 303, 307, 308) and e.headers.get("Location"):
                url = urllib.parse.urljoin(url, e.headers["Location"])
                continue
            return statuses, body
    return statuses, b""


def _up(rel: str) -> str:
    """``rel`` with every slash encoded (``..%2f``), as a traversal attempt sends it."""
    return rel.replace("/", "%2f")


# What must never appear in a refused answer: the content of the things asked for.
SECRETS = [b"SQLite format 3", b"Secret Runner", b"[project]", b"def open_store", b"root:x:0",
           b'"cell_type"', b"nbformat", b"date,sleep_h", b"TOKEN", b"Traceback"]


def _record(served: Served, path: str, statuses: list[int], verdict: str) -> None:
    TABLE.append((served.name, path, " -> ".join(map(str, statuses)), verdict))


def _refused(served: Served, path: str, method: str = "GET") -> None:
    statuses, body = probe(served.base, path, method)
    _record(served, f"{method} {path}" if method != "GET" else path, statuses, "refused")
    assert statuses[-1] in (403, 404, 405), f"{path}: {statuses}"
    leaked = [s.decode() for s in SECRETS if s in body]
    assert not leaked, f"{path} leaked {leaked}"


def _rel_from_tree(target: Path, tree: Path) -> str:
    return os.path.relpath(target, tree)


APP_PROBES = [
    # notebooks' sources and Jupyter's own APIs
    "/voila/files/00_start.ipynb", "/voila/files/01_assessment.ipynb", "/files/00_start.ipynb",
    "/api/contents", "/api/contents/00_start.ipynb", "/notebooks/00_start.ipynb", "/tree", "/lab",
    "/api/kernels", "/api/sessions", "/api/kernelspecs", "/api/terminals", "/terminals/websocket/1",
    "/api/nbconvert", "/nbconvert/script/00_start.ipynb", "/api/config/notebook",
    # path traversal out of the notebooks folder: data, code, package metadata, the system
    "/voila/files/" + _up("../data/pmdata/p01/pmsys/srpe.csv"),
    "/voila/render/" + _up("../data/pmdata/p01/pmsys/srpe.csv"),
    "/voila/files/" + _up("../heavylegs_core/io/store.py"),
    "/voila/render/" + _up("../heavylegs_core/io/store.py"),
    "/voila/render/../heavylegs_core/io/store.py",
    "/voila/files/" + _up("../pyproject.toml"),
    "/voila/files/" + _up("../../../../../../../../etc/passwd"),
    "/voila/render/" + _up("../../../../../../../../etc/passwd"),
    "/voila/static/" + _up("../../../../../../../../etc/passwd"),
    "/voila/static/%2fetc%2fpasswd",
    "/voila/templates/" + _up("../../../../../../../../etc/passwd"),
    "/voila/templates/heavylegs/static/" + _up("../../../../../../../../etc/passwd"),
    "/voila/templates/heavylegs/static/" + _up("../conf.json"),
    "/voila/labextensions/" + _up("../../../../../../../../etc/passwd"),
    "/voila/api/themes/" + _up("../../../../../../../../etc/passwd"),
    "/voila/tree/" + _up(".."),
    "/voila/api/contents/" + _up(".."),
    "/voila/api/contents/" + _up("../heavylegs_core"),
    # running code through HTTP: Voila's execution endpoints are off in this configuration
    "/voila/execution/00000000-0000-0000-0000-000000000000",
    "/voila/query/00000000-0000-0000-0000-000000000000",
]


@pytest.mark.parametrize("path", APP_PROBES)
def test_the_app_refuses(app, path):
    _refused(app, path)


def test_the_athlete_database_is_outside_the_served_tree_and_unreachable(app):
    db = app.data_dir / DB_FILENAME
    assert db.read_bytes().startswith(b"SQLite format 3")
    # the store's folder can never be the notebooks folder or below it
    assert NOTEBOOKS_DIR not in db.resolve().parents
    rel = _rel_from_tree(db, NOTEBOOKS_DIR)
    for path in ("/voila/files/" + _up(rel), "/voila/render/" + _up(rel), f"/voila/files/{DB_FILENAME}",
                 "/voila/files/" + urllib.parse.quote(str(db), safe=""),
                 "/voila/api/contents/" + _up(rel)):
        _refused(app, path)


def test_the_data_folder_refuses_to_live_under_the_notebooks(monkeypatch):
    for inside in (NOTEBOOKS_DIR, NOTEBOOKS_DIR / "data"):
        monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(inside))
        with pytest.raises(ValueError, match="notebooks folder"):
            user_data_dir()
    assert not (NOTEBOOKS_DIR / "data").exists()


@pytest.mark.parametrize("path", [
    f"/voila/files/{DB_FILENAME}", f"/voila/render/{DB_FILENAME}", f"/voila/api/contents/{DB_FILENAME}",
    f"/voila/files/data/{DB_FILENAME}", "/voila/files/" + _up(f"../outside/{DB_FILENAME}"),
    "/voila/files/heavylegs.db", "/voila/render/heavylegs.db", "/voila/api/contents/heavylegs.db",
    "/voila/files/data/heavylegs.db", "/voila/render/data/heavylegs.db",
    "/voila/files/" + _up("../outside/heavylegs.db"), "/voila/render/" + _up("../outside/heavylegs.db"),
    "/voila/files/athlete.csv", "/voila/files/helper.py", "/voila/render/helper.py",
    "/voila/files/app.ipynb", "/voila/api/contents/helper.py",
])
def test_a_database_left_beside_the_notebooks_is_not_served(decoy, path):
    _refused(decoy, path)


def test_the_tree_listing_names_notebooks_only_and_never_their_content(decoy, app):
    for served, notebook in ((decoy, "app.ipynb"), (app, "00_start.ipynb")):
        statuses, body = probe(served.base, "/voila/api/contents")
        listing = json.loads(body)
        names = {item["name"] for item in listing["content"]}
        _record(served, "/voila/api/contents", statuses, f"listing only: {', '.join(sorted(names))}")
        assert statuses == [200]
        assert all(n.endswith(".ipynb") or item["type"] == "directory"
                   for n, item in ((i["name"], i) for i in listing["content"]))
        assert DB_FILENAME not in names and "heavylegs.db" not in names and "helper.py" not in names and "athlete.csv" not in names
        statuses, body = probe(served.base, f"/voila/api/contents/{notebook}?content=1")
        _record(served, f"/voila/api/contents/{notebook}?content=1", statuses, "metadata only, content null")
        assert statuses == [200]
        assert json.loads(body)["content"] is None
        assert not [s for s in SECRETS if s in body]


# ---------------------------------------------------------------- the address it prints, and uploads


def test_the_printed_address_opens_the_landing_page_and_the_tree_stays_for_maintainers(app):
    statuses, body = probe(app.base, "/")
    _record(app, "/", statuses, "redirects to the landing page")
    assert statuses == [302, 200] and b"00_start" in body
    statuses, body = probe(app.base, "/voila/tree/")
    _record(app, "/voila/tree/", statuses, "notebook list (maintainers)")
    assert statuses == [200] and b"voila-tree-main" in body  # the file list (drawn from /voila/api/contents)


def _upload_request(base: str, path: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, dict]:
    req = urllib.request.Request(base + path, data=data, method="PUT" if data is not None else "GET",
                                 headers=headers)
    try:
        with _OPENER.open(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body)
        except ValueError:
            return e.code, {"body": body[:200].decode("utf-8", "replace")}


def _xsrf(base: str) -> tuple[str, str]:
    """The ``_xsrf`` cookie a page of the app gets, as ``(cookie header, token)``."""
    with _OPENER.open(base + "/voila/render/00_start.ipynb", timeout=120) as r:
        cookie = next(c for c in r.headers.get_all("Set-Cookie") if c.startswith("_xsrf="))
    value = cookie.split(";", 1)[0]
    return value, urllib.parse.unquote(value.split("=", 1)[1])


def test_uploads_are_written_only_into_an_open_ticket_and_only_from_the_app_s_pages(app, monkeypatch):
    from heavylegs_core.io import uploads

    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(app.data_dir))
    ticket = uploads.open_ticket()
    cookie, token = _xsrf(app.base)
    ok = {"Cookie": cookie, "X-XSRFToken": token, "Content-Type": "application/octet-stream"}
    name = urllib.parse.quote("../../../notebooks/evil.csv")
    path = f"/heavylegs/upload/{ticket.token}/0?name={name}&total=6"
    cases = [
        ("PUT without the XSRF token", f"{path}&offset=0", b"a,b\n1,", {"Cookie": cookie}, 403),
        ("PUT from another site", f"{path}&offset=0", b"a,b\n1,", {**ok, "Origin": "http://evil.example"}, 404),
        ("PUT to a ticket nobody opened", f"/heavylegs/upload/{'B' * 43}/0?name=a.csv&total=6&offset=0", b"x",
         ok, 404),
        ("GET of a ticket nobody opened", f"/heavylegs/upload/{'B' * 43}/0?name=a.csv&total=6", None, {}, 404),
        ("PUT past the announced size", f"{path}&offset=0", b"a,b\n1,2,3", ok, 400),
        ("PUT of a program", f"/heavylegs/upload/{ticket.token}/1?name=run.exe&total=1&offset=0", b"x", ok, 415),
        ("PUT over the limit", f"/heavylegs/upload/{ticket.token}/1?name=a.zip&total={10**13}&offset=0", b"x",
         ok, 400),
    ]
    for label, url, data, headers, expected in cases:
        status, body = _upload_request(app.base, url, data, headers)
        _record(app, f"upload: {label}", [status], "refused")
        assert status == expected, (label, status, body)
        assert not [s for s in SECRETS if s.decode() in json.dumps(body)]
    assert uploads.received(ticket.folder) == []
    for route in (f"/heavylegs/upload/{_up('../..')}/0", "/heavylegs/upload/" + _up("../../etc") + "/0"):
        _refused(app, route)
    # the real thing: two chunks; the name is reduced to a plain file name inside the ticket
    assert _upload_request(app.base, f"{path}&offset=0", b"a,b\n", ok) == (
        200, {"name": "evil.csv", "received": 4, "complete": False})
    assert _upload_request(app.base, f"{path}&offset=4", b"1,", ok)[1]["complete"] is True
    got = uploads.received(ticket.folder)
    _record(app, "upload: two chunks with the XSRF token, same origin", [200, 200], "written inside the ticket")
    assert [(r.name, r.path.read_bytes()) for r in got] == [("evil.csv", b"a,b\n1,")]
    assert not (NOTEBOOKS_DIR / "evil.csv").exists()
    uploads.close_ticket(ticket)


# ---------------------------------------------------------------- the kernel websocket


def _message(msg_type: str, content: dict, session: str) -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "username": "probe", "session": session,
                   "date": dt.datetime.now(dt.UTC).isoformat(), "msg_type": msg_type, "version": "5.3"},
        "parent_header": {}, "metadata": {}, "content": content, "buffers": [],
    }


@pytest.fixture(scope="module")
def kernel_url(app) -> Iterator[str]:
    """The websocket URL of the kernel of a freshly rendered landing page, as the page opens it."""
    status, page = http_get(f"{app.base}/voila/render/00_start.ipynb")
    assert status == 200
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)
    yield f"ws://{app.base.removeprefix('http://')}/api/kernels/{kernel_id}/channels"
    probe(app.base, f"/voila/api/shutdown/{kernel_id}", method="POST")


def test_a_kernel_id_reveals_only_the_kernel_status(app, kernel_url):
    """Voila registers ``/api/kernels/<id>`` for its page: the id is a random UUID only that page
    knows, and the answer is the kernel's status, with no code, paths or outputs."""
    kernel_id = kernel_url.rsplit("/", 2)[-2]
    statuses, body = probe(app.base, f"/api/kernels/{kernel_id}")
    _record(app, "/api/kernels/<this page's kernel id>", statuses, "status only (Voila's own endpoint)")
    assert statuses == [200]
    assert set(json.loads(body)) <= {"id", "name", "last_activity", "execution_state", "connections"}
    for method in ("POST", "PUT", "PATCH"):
        statuses, _ = probe(app.base, f"/api/kernels/{kernel_id}", method=method)
        _record(app, f"{method} /api/kernels/<id>", statuses, "refused")
        assert statuses[-1] in (403, 404, 405)


CODE_PROBES = {
    "execute_request": {"code": "open({marker!r}, 'w').write('ran')", "silent": False},
    "inspect_request": {"code": "open", "cursor_pos": 4, "detail_level": 1},
    "complete_request": {"code": "import o", "cursor_pos": 8},
    "history_request": {"output": True, "raw": True, "hist_access_type": "tail", "n": 10},
    "is_complete_request": {"code": "x = 1"},
}


@pytest.mark.parametrize("channel", ["shell", "control"])
@pytest.mark.parametrize("protocol", ["json", "v1"])
def test_kernel_websocket_runs_no_code(kernel_url, tmp_path, channel, protocol):
    session = uuid.uuid4().hex
    # the binary v1 protocol takes another path through the server's filter than plain JSON
    subprotocols = ["v1.kernel.websocket.jupyter.org"] if protocol == "v1" else None
    ws = websocket.create_connection(f"{kernel_url}?session_id={session}", timeout=60,
                                     subprotocols=subprotocols)
    marker = tmp_path / "kernel-ran-code.txt"

    def send(msg: dict, on: str) -> None:
        if protocol == "json":
            ws.send(json.dumps({**msg, "channel": on}))
        else:
            ws.send_binary(serialize_msg_to_ws_v1(msg, on, lambda part: json.dumps(part).encode()))

    sent = {}
    for msg_type, content in CODE_PROBES.items():
        content = {k: v.format(marker=str(marker)) if isinstance(v, str) else v for k, v in content.items()}
        msg = _message(msg_type, content, session)
        sent[msg["header"]["msg_id"]] = msg_type
        send(msg, channel)
    # a message the page needs, sent after them: its reply proves the socket reaches the kernel
    control = _message("kernel_info_request", {}, session)
    send(control, "shell")
    answered: list[str] = []
    info_seen = False
    deadline = time.monotonic() + 60
    try:
        # read until the control reply, then 2 s more: a message that got through would be answered
        while time.monotonic() < deadline:
            ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                raw = ws.recv()
            except websocket.WebSocketTimeoutException:
                break
            if protocol == "v1":
                _, parts = deserialize_msg_from_ws_v1(raw)
                header, parent = json.loads(parts[0]), json.loads(parts[1])
            elif isinstance(raw, str):
                msg = json.loads(raw)
                header, parent = msg["header"], msg["parent_header"]
            else:
                continue
            if parent.get("msg_id") in sent:
                answered.append(f"{sent[parent['msg_id']]} -> {header['msg_type']}")
            if parent.get("msg_id") == control["header"]["msg_id"] and header["msg_type"] == "kernel_info_reply":
                info_seen = True
                deadline = min(deadline, time.monotonic() + 2)
    finally:
        ws.close()
    verdict = "refused (dropped by the server)" if not answered and not marker.exists() else f"ANSWERED {answered}"
    for msg_type in CODE_PROBES:
        TABLE.append(("app", f"websocket {protocol} {channel}: {msg_type}", "-", verdict))
    TABLE.append(("app", f"websocket {protocol} shell: kernel_info_request (positive control)", "-",
                  "answered" if info_seen else "NOT answered"))
    assert info_seen, "the websocket did not reach the kernel: the probe proves nothing"
    assert not answered
    assert not marker.exists(), "the kernel ran code sent over the websocket"


def test_under_jupyter_server_the_token_guards_everything(tmp_path):
    """On Binder, Voila is a Jupyter server extension inside the visitor's own container.

    There the full Jupyter API (contents, files, kernels, terminals) belongs to whoever holds
    the server's token: the visitor, who owns that container and its Jupyter Lab anyway, and
    the exposure rules above are promised for ``heavylegs app`` only. What must hold is that
    nobody without the token gets anything, Voila pages included.
    """
    port, token = server.free_port(), "heavylegs-exposure-test"
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "HEAVYLEGS_DATA_DIR": str(tmp_path / "data")}
    root = ["--allow-root"] if os.geteuid() == 0 else []
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter), "server", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={PROJECT_ROOT}", *root]
    base = f"http://127.0.0.1:{port}"
    with server.running(cmd, url=f"{base}/api/status?token={token}", env=env,
                        log=ARTIFACTS / "jupyter-server-exposure.log"):
        served = Served(base, tmp_path, "jupyter-ext")
        for path in ("/api/contents", "/api/contents/pyproject.toml", "/files/pyproject.toml",
                     "/api/kernels", "/api/sessions", "/api/terminals",
                     "/voila/render/notebooks/00_start.ipynb", "/voila/files/notebooks/00_start.ipynb",
                     "/voila/api/contents", "/lab"):
            statuses, body = probe(base, path)
            _record(served, f"{path} (no token)", statuses,
                    "refused (login page)" if statuses[0] == 302 else "refused")
            assert b"[project]" not in body and b'"cell_type"' not in body
            assert statuses[0] in (302, 401, 403, 404), f"{path}: {statuses}"
            if statuses[0] == 302:  # a redirect may only lead to the login form
                assert b'type="password"' in body, path
        statuses, body = probe(base, f"/api/contents?token={token}")
        _record(served, "/api/contents?token=...", statuses, "open to the token holder (by design)")
        assert statuses == [200]
        # the apps' upload route is served here too (heavylegs_core.serve.upload_handler, a server extension)
        upload = f"/heavylegs/upload/{'B' * 43}/0?name=a.csv&total=1"
        statuses, body = probe(base, upload)
        _record(served, "/heavylegs/upload/... (no token)", statuses, "refused")
        assert statuses == [403]
        statuses, body = probe(base, f"{upload}&token={token}")
        _record(served, "/heavylegs/upload/...?token=... (no such ticket)", statuses, "served, no such ticket")
        assert statuses == [404] and b"choose the files again" in body


@pytest.fixture(scope="module", autouse=True)
def _write_table(request) -> Iterator[None]:
    yield
    if not TABLE:
        return
    width = max(len(p) for _, p, _, _ in TABLE)
    lines = ["| server | probe | status | verdict |", "| --- | --- | --- | --- |"]
    lines += [f"| {s} | `{p}` | {c} | {v} |" for s, p, c, v in TABLE]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "exposure-probes.md").write_text("\n".join(lines) + "\n")
    capman = request.config.pluginmanager.getplugin("capturemanager")
    with capman.global_and_fixture_disabled():
        tw = request.config.get_terminal_writer()
        tw.line("")
        tw.line("exposure probes (also in test-artifacts/exposure-probes.md):")
        for s, p, c, v in TABLE:
            tw.line(f"  {s:6} {p:<{width}}  {c:<12} {v}")
