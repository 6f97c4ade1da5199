"""Upload and import a 1 GB export through the dashboard, against ``heavylegs import`` on the same file.

    python3 benchmarks/bench_upload.py [--megabytes 1000] [--repeat 3]

The export is a generated Apple Health ``export.zip`` (``apple_health_export/export.xml``
stored, so the upload is as large as asked; tests/import_fixtures.py). In the same run:

- the command line: ``heavylegs import export.zip --format json`` (stdout discarded):
  wall-clock seconds and the process's peak resident memory (RSS, sampled every 50 ms);
- the app: the dashboard in Voila (as ``heavylegs app`` serves it) and Debian Chromium;
  the file is chosen in the upload control, streamed to the server in chunks, imported by
  the kernel and drawn. Measured: seconds to the last byte received by the server, seconds
  to the history shown (upload and import), and the peak RSS of the server and of the
  kernel while it happens.

Reported: medians of ``--repeat`` runs, MB/s (decimal MB of the file per second), and the
ratios app / command line for time and for peak memory (the kernel against the command).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _browser import CHROMIUM_ARGS, chromium, served
from _targets import Target, report
from conftest import PeakMemory
from playwright.sync_api import sync_playwright

from heavylegs_core.base.paths import NOTEBOOKS_DIR
from tests import import_fixtures as fx

SERVER_PEAK_MB = 300.0  # issue 21: the server stays under 300 MB while a full-size export streams in
TIME_RATIO = 2.0  # upload and import in the app within 2x the command line's import of the file alone
DASHBOARD = "02_dashboard.ipynb"


def cli_import(path: Path) -> dict[str, float]:
    """``heavylegs import`` on ``path``: seconds and peak RSS (MB)."""
    exe = Path(sys.executable).with_name("heavylegs")
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe), "import", str(path), "--format", "json"], stdout=subprocess.DEVNULL)
    with PeakMemory(psutil.Process(proc.pid)) as mem:
        code = proc.wait()
    seconds = time.perf_counter() - t0
    if code:
        sys.exit(f"benchmark: heavylegs import failed ({code})")
    return {"s": seconds, "peak_mb": mem.server_mb}


def app_upload(browser, url: str, voila: psutil.Process, path: Path) -> dict[str, float]:
    """Upload ``path`` through the dashboard: seconds to received and to shown, peak RSS of server and kernel."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(url + DASHBOARD)
        page.locator(".hl-app.hl-ready").wait_for(timeout=120_000)
        area = ".hl-dashboard-upload"
        with PeakMemory(voila) as mem:
            t0 = time.perf_counter()
            page.locator(f"{area} input[type=file]").set_input_files(str(path))
            page.wait_for_function(f"() => /received/.test(document.querySelector('{area} .hl-upload-status')"
                                   ".textContent)", timeout=600_000, polling=50)
            received = time.perf_counter() - t0
            page.wait_for_function("() => /Uploaded files/.test(document.querySelector('.hl-status').textContent)",
                                   timeout=600_000, polling=50)
            shown = time.perf_counter() - t0
        errors = page.locator(".hl-error").inner_text().strip()
        if errors:
            sys.exit(f"benchmark: the dashboard reported an error: {errors}")
        return {"received_s": received, "shown_s": shown, "server_mb": mem.server_mb, "kernel_mb": mem.kernel_mb}
    finally:
        page.close(run_before_unload=True)
        context.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--megabytes", type=int, default=1000, help="size of the export (decimal MB; default 1000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="heavylegs-bench-upload-") as tmp:
        path = Path(tmp) / "export.zip"
        t = time.perf_counter()
        info = fx.write_apple_export_zip(path, args.megabytes * 10**6)
        size_mb = info["bytes"] / 1e6
        print(f"Apple Health export.zip: {size_mb:.0f} MB ({info['nights']} nights among heart-rate records), "
              f"generated in {time.perf_counter() - t:.0f} s")
        nb = nbformat.read(NOTEBOOKS_DIR / DASHBOARD, as_version=4)
        cli: list[dict[str, float]] = []
        app: list[dict[str, float]] = []
        with served({DASHBOARD: nb}) as (url, voila), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            for i in range(args.repeat):  # alternate, so that both see the same machine
                cli.append(cli_import(path))
                app.append(app_upload(browser, url, voila, path))
                print(f"  run {i + 1}: command line {cli[-1]['s']:.1f} s, peak {cli[-1]['peak_mb']:.0f} MB; "
                      f"app received {app[-1]['received_s']:.1f} s, shown {app[-1]['shown_s']:.1f} s, server peak "
                      f"{app[-1]['server_mb']:.0f} MB, kernel peak {app[-1]['kernel_mb']:.0f} MB", flush=True)
            browser.close()

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    cli_s, cli_mb = med(cli, "s"), med(cli, "peak_mb")
    rec_s, shown_s = med(app, "received_s"), med(app, "shown_s")
    server_mb, kernel_mb = med(app, "server_mb"), med(app, "kernel_mb")
    print(f"\nmedians of {args.repeat} ({size_mb:.0f} MB):")
    print(f"  command line import: {cli_s:.1f} s = {size_mb / cli_s:.0f} MB/s, peak RSS {cli_mb:.0f} MB")
    print(f"  app upload (to the last byte on the server's disk): {rec_s:.1f} s = {size_mb / rec_s:.0f} MB/s")
    print(f"  app upload and import (history shown): {shown_s:.1f} s = {size_mb / shown_s:.0f} MB/s, "
          f"{shown_s / cli_s:.2f} x the command line")
    print(f"  peak RSS: server {server_mb:.0f} MB; kernel {kernel_mb:.0f} MB = {kernel_mb / cli_mb:.2f} x the "
          "command line's process")
    return report([
        Target(f"Upload and import of a {size_mb:.0f} MB export in the dashboard, against the command line",
               shown_s, "s", TIME_RATIO, kind="ratio", baseline=cli_s,
               note=f"{size_mb / shown_s:.0f} MB/s against {size_mb / cli_s:.0f} MB/s for heavylegs import"),
        Target(f"Server peak RSS while a {size_mb:.0f} MB export is uploaded and imported", server_mb, "MB",
               SERVER_PEAK_MB, note=f"kernel peak {kernel_mb:.0f} MB; command line {cli_mb:.0f} MB"),
    ])


if __name__ == "__main__":
    sys.exit(main())
