"""``heavylegs app`` and the common command-line conventions (interfaces.md section 1)."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from heavylegs_core.cli import build_parser, main
from heavylegs_core.serve import server


def _heavylegs(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "heavylegs_core.cli", *args],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("port", ["80", "70000", "abc"])
def test_a_bad_port_is_one_line_and_exit_2(port):
    res = _heavylegs("app", "--port", port, "--no-browser")
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("heavylegs: error:")
    assert "Traceback" not in res.stderr


def test_a_busy_port_is_reported_not_silently_moved(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        code = main(["app", "--port", str(busy), "--no-browser"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [f"heavylegs: error: --port: port {busy} is already in use: stop the other server or pass --port N"]


def test_an_unknown_subcommand_is_one_line_and_exit_2():
    res = _heavylegs("frobnicate")
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1


def test_app_serves_the_notebook_folder_on_loopback_with_the_landing_page():
    cmd = server.voila_command(8866)
    assert str(server.NOTEBOOKS_DIR) in cmd and "--Voila.ip=127.0.0.1" in cmd
    assert server.landing_url(8866) == "http://127.0.0.1:8866/voila/render/00_start.ipynb"
    assert "app" in build_parser().format_help()


def test_app_preheats_the_apps_whose_first_view_cannot_go_stale():
    import json

    names = server.preheated_notebooks()
    assert names == ["00_start.ipynb", "01_assessment.ipynb", "02_dashboard.ipynb"]
    assert "03_roster.ipynb" not in names  # it reads the athlete store when built
    opts = server.preheat_options(names)
    assert "--VoilaConfiguration.preheat_kernel=True" in opts
    pools = json.loads(next(o for o in opts if "kernel_pools_config" in o).split("=", 1)[1])
    assert pools["default"] == {"pool_size": 0} and all(pools[n] == {"pool_size": 1} for n in names)


@pytest.mark.e2e
def test_voila_with_the_preheat_options_serves_a_page_from_a_preheated_kernel(tmp_path):
    import time
    import urllib.request

    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('hello from the kernel')")]
    nbformat.write(nb, tmp_path / "a.ipynb")
    nbformat.write(nb, tmp_path / "b.ipynb")
    port = server.free_port()
    log = tmp_path / "voila.log"
    cmd = server.voila_command(port, notebooks=tmp_path, extra=server.preheat_options(["a.ipynb"], fill_delay=60))
    with server.running(cmd, url=f"http://{server.HOST}:{port}/", log=log):
        deadline = time.monotonic() + 90
        while "Kernel pool of a.ipynb is filled" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        with urllib.request.urlopen(f"http://{server.HOST}:{port}/voila/render/a.ipynb", timeout=60) as r:
            page = r.read().decode()
        time.sleep(0.5)
        text = log.read_text()
    assert "hello from the kernel" in page
    assert "Using pre-heated kernel" in text and "a.ipynb" in text
    assert "Kernel pool of b.ipynb is filled" not in text  # b is not preheated
