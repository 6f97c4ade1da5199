"""Full-size exports through the apps' upload path, in Voila and Debian Chromium.

A generated 300 MB Apple Health ``export.zip`` and a 500-activity Strava export are
uploaded through the assessment app and through the dashboard. The progress bar must
move, the history must be shown, and the Voila server's memory (resident set size,
sampled every 50 ms while the files stream in and are read) must stay under 300 MB:
the files travel to disk in chunks, never through the server's memory or the widget's
websocket. The measured figures go to test-artifacts/upload_memory.json (no timed
assertions here; benchmarks/bench_upload.py measures throughput).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from conftest import ARTIFACTS, PeakMemory
from playwright.sync_api import Page, expect
from test_assessment_e2e import next_until

from heavylegs_core.serve import server
from tests import import_fixtures as fx

pytestmark = pytest.mark.e2e

APPLE_BYTES = 300 * 10**6
STRAVA_ACTIVITIES = 500
SERVER_LIMIT_MB = 300.0


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("exports")
    apple = folder / "export.zip"
    fx.write_apple_export_zip(apple, APPLE_BYTES)
    fx.make_strava_export(folder / "strava", n=STRAVA_ACTIVITIES)
    strava = fx.zip_folder(folder / "strava", folder / "export_12345.zip")
    assert apple.stat().st_size >= APPLE_BYTES
    return [apple, strava]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, psutil.Process, Path]]:
    """A Voila server of its own (its memory is measured), with its own user data folder."""
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    data = tmp_path_factory.mktemp("upload-data")
    env = {**os.environ, "HEAVYLEGS_DATA_DIR": str(data)}
    ARTIFACTS.mkdir(exist_ok=True)
    with server.running(server.voila_command(port, show_tracebacks=True), url=base + "/",
                        log=ARTIFACTS / "voila-upload.log", env=env) as proc:
        yield base, psutil.Process(proc.pid), data


def upload_and_watch(page: Page, area: str, files: list[Path]) -> list[float]:
    """Choose ``files`` in the upload control ``area``; return the progress values seen while it sends."""
    page.locator(f"{area} input[type=file]").set_input_files([str(f) for f in files])
    bar = page.locator(f"{area} progress.hl-upload-progress")
    seen: list[float] = []
    for _ in range(2400):  # at most 2 minutes of sending
        value = bar.evaluate("b => b.value / b.max")
        if not seen or value != seen[-1]:
            seen.append(value)
        if value >= 1.0:
            break
        page.wait_for_timeout(50)
    return seen


def record(name: str, sampler: PeakMemory, seen: list[float], files: list[Path]) -> None:
    out = ARTIFACTS / "upload_memory.json"
    doc = json.loads(out.read_text()) if out.exists() else {}
    doc[name] = {"server_peak_mb": round(sampler.server_mb, 1), "kernel_peak_mb": round(sampler.kernel_mb, 1),
                 "upload_mb": round(sum(f.stat().st_size for f in files) / 1e6, 1),
                 "progress_values_seen": len(seen)}
    out.write_text(json.dumps(doc, indent=2))


def check(sampler: PeakMemory, seen: list[float], data: Path) -> None:
    moving = [v for v in seen if 0 < v < 1]
    assert len(moving) >= 3, f"the progress bar did not move: {seen}"
    assert seen == sorted(seen), f"the progress went backwards: {seen}"
    assert sampler.server_mb < SERVER_LIMIT_MB, f"the server used {sampler.server_mb:.0f} MB"
    assert left_behind(data) == [], "uploaded files were left on the server after the import"


def left_behind(data: Path, wait_s: float = 10.0) -> list[Path]:
    """Files still in upload tickets once the kernel has finished with them (it deletes them last)."""
    deadline = time.monotonic() + wait_s
    while (files := list((data / "uploads").glob("*/*"))) and time.monotonic() < deadline:
        time.sleep(0.1)
    return files


def open_app(page: Page, base: str, notebook: str) -> None:
    page.goto(f"{base}/voila/render/{notebook}")
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=120_000)
    if notebook == "01_assessment.ipynb":
        next_until(page, "history")


def history_in_the_assessment(page: Page) -> None:
    expect(page.locator(".hl-history table")).to_be_visible(timeout=180_000)
    history = page.locator(".hl-history")
    expect(history).to_contain_text("export.zip, export_12345.zip")
    expect(history).to_contain_text("Days of history")
    expect(page.locator(".hl-upload .hl-upload-status")).to_contain_text("in 2 files received")


def history_in_the_dashboard(page: Page) -> None:
    expect(page.locator(".hl-status")).to_contain_text("Uploaded files", timeout=180_000)
    expect(page.locator(".hl-chart svg").first).to_be_attached(timeout=60_000)


@pytest.mark.parametrize(("app", "notebook", "area", "shown"), [
    ("assessment", "01_assessment.ipynb", ".hl-upload", history_in_the_assessment),
    ("dashboard", "02_dashboard.ipynb", ".hl-dashboard-upload", history_in_the_dashboard),
])
def test_full_size_exports_through_the_app(guarded_page, served, exports, app, notebook, area, shown):
    base, proc, data = served
    page = guarded_page
    open_app(page, base, notebook)
    with PeakMemory(proc) as sampler:
        seen = upload_and_watch(page, area, exports)
        shown(page)
    record(app, sampler, seen, exports)
    expect(page.locator(".hl-error")).to_be_hidden()
    check(sampler, seen, data)


def test_cancel_stops_the_upload_and_leaves_nothing(guarded_page, served, exports):
    base, _proc, data = served
    page = guarded_page
    open_app(page, base, "02_dashboard.ipynb")
    area = ".hl-dashboard-upload"
    page.locator(f"{area} input[type=file]").set_input_files(str(exports[0]))
    expect(page.locator(f"{area} .hl-upload-cancel")).to_be_visible()
    page.wait_for_function(f"() => document.querySelector('{area} progress').value > 0")
    page.locator(f"{area} .hl-upload-cancel").click()
    expect(page.locator(f"{area} .hl-upload-status")).to_contain_text("Upload cancelled")
    expect(page.locator(".hl-error")).to_be_hidden()
    assert left_behind(data) == []  # the kernel deletes the partial file when it hears of the cancel
    expect(page.locator(".hl-status")).not_to_contain_text("Uploaded files")
