"""The served configuration: tracebacks hidden from users, nothing but notebooks served, culling on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from conftest import http_get

from heavylegs_core.base.paths import PROJECT_ROOT
from heavylegs_core.serve import server


@pytest.fixture(scope="module")
def served_as_users_see_it(tmp_path_factory) -> Iterator[str]:
    """Voila with the repository's voila.json (no test overrides) on a folder with a failing notebook."""
    folder: Path = tmp_path_factory.mktemp("served")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("secret_path = '/home/athlete'\n1 / 0")]
    nbformat.write(nb, folder / "broken.ipynb")
    (folder / "athlete.csv").write_text("date,sleep_h\n2026-01-01,7\n")
    (folder / "helper.py").write_text("TOKEN = 'x'\n")
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    with server.running(server.voila_command(port, notebooks=folder), url=base + "/"):
        yield base


def test_voila_json_hides_tracebacks_and_keeps_the_allowlist():
    cfg = json.loads((PROJECT_ROOT / "voila.json").read_text())
    voila = cfg["VoilaConfiguration"]
    assert voila["show_tracebacks"] is False
    assert voila["strip_sources"] is True
    assert "file_allowlist" not in voila and "file_whitelist" not in voila
    culling = cfg["MappingKernelManager"]
    assert 0 < culling["cull_interval"] <= culling["cull_idle_timeout"] <= 3600


def test_users_see_no_traceback(served_as_users_see_it):
    status, body = http_get(f"{served_as_users_see_it}/voila/render/broken.ipynb")
    assert status == 200
    assert "There was an error when executing cell" in body
    assert "ZeroDivisionError" not in body and "/home/athlete" not in body and "1 / 0" not in body


@pytest.mark.parametrize("path", ["/voila/files/athlete.csv", "/voila/files/helper.py",
                                  "/voila/files/broken.ipynb"])
def test_data_and_sources_are_not_served(served_as_users_see_it, path):
    status, _ = http_get(served_as_users_see_it + path)
    assert status in (403, 404)
