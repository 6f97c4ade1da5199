"""Faults a user can meet: a read-only data folder, a full disk, a kernel killed mid-session.

Read-only folders and full disks are real, not mocked: each case runs the command
line in a private mount namespace (``unshare``), on a read-only bind mount or on a
tiny tmpfs filled to the last byte, so SQLite and the atomic writer get the EROFS
and ENOSPC the operating system really returns (root ignores permission bits, so a
``chmod`` would prove nothing in CI). The mounts vanish with the namespace.

The browser test kills the Python kernel behind the assessment app with SIGKILL and
checks the page says so, keeps the saved athlete records intact and restarts cleanly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from conftest import ARTIFACTS
from playwright.sync_api import expect

from heavylegs_core.base.paths import PMDATA_DIR
from heavylegs_core.io.store import DB_FILENAME, open_store
from heavylegs_core.serve import server

HEAVYLEGS = str(Path(sys.executable).with_name("heavylegs"))
SRPE = str(PMDATA_DIR / "p01" / "pmsys" / "srpe.csv")
ONE_LINE = re.compile(r"heavylegs: error: [^\n]+\n")


def _unshare_prefix() -> list[str]:
    """The command that runs a shell in a private mount namespace, or skip when the system forbids it."""
    exe = shutil.which("unshare")
    if exe is None:
        pytest.skip("needs util-linux 'unshare' for real read-only and full-disk mounts")
    prefix = [exe, "--mount"] if os.geteuid() == 0 else [exe, "--map-root-user", "--mount"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"this system allows no private mount namespace: {probe.stderr.decode().strip()}")
    return prefix


def in_namespace(script: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run ``script`` with sh in a private mount namespace; it fails on the first failing set-up step."""
    return subprocess.run([*_unshare_prefix(), "sh", "-c", script], env={**os.environ, **env, "HL": HEAVYLEGS},
                          capture_output=True, text=True, timeout=300, check=False)


def cli(*args: str, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([HEAVYLEGS, *args], env={**os.environ, "HEAVYLEGS_DATA_DIR": str(data)},
                          capture_output=True, text=True, timeout=300, check=False)


def _athlete_names(data: Path) -> list[str]:
    with open_store(data / DB_FILENAME) as s:
        assert s.integrity_ok()
        return [a.name for a in s.athletes()]


def _one_clear_line(err: str, *words: str) -> None:
    assert ONE_LINE.fullmatch(err), f"not one error line: {err!r}"
    assert "Traceback" not in err
    for w in words:
        assert w in err, err


READ_ONLY = 'mount --bind "$D" "$D" && mount -o remount,bind,ro "$D" && '


def test_a_read_only_data_folder_is_one_clear_error_and_the_records_stay(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    assert cli("athletes", "add", "Ann", data=data).returncode == 0
    before = (data / DB_FILENAME).read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    r = in_namespace(READ_ONLY + 'HEAVYLEGS_DATA_DIR="$D" "$HL" athletes add Bob 2>"$O/add.err"; echo $? >"$O/add.rc"; '
                     'HEAVYLEGS_DATA_DIR="$D/new" "$HL" athletes add Bob 2>"$O/new.err"; echo $? >"$O/new.rc"',
                     {"D": str(data), "O": str(out)})
    assert r.returncode == 0, r.stderr
    assert (out / "add.rc").read_text().strip() == "2"
    _one_clear_line((out / "add.err").read_text(), "read-only", "nothing was changed", "HEAVYLEGS_DATA_DIR")
    assert (out / "new.rc").read_text().strip() == "2"
    _one_clear_line((out / "new.err").read_text(), "read-only", "nothing was changed")
    # outside the namespace the folder is writable again: the records are as they were
    assert (data / DB_FILENAME).read_bytes() == before
    assert _athlete_names(data) == ["Ann"]


def test_out_into_a_read_only_folder_is_one_clear_error(tmp_path):
    target = tmp_path / "reports"
    target.mkdir()
    (target / "metrics.csv").write_text("old content\n")
    out = tmp_path / "out"
    out.mkdir()
    r = in_namespace('D="$T" && ' + READ_ONLY + '"$HL" metrics --training "$SRPE" --out "$T/metrics.csv" '
                     '2>"$O/err"; echo $? >"$O/rc"',
                     {"T": str(target), "O": str(out), "SRPE": SRPE})
    assert r.returncode == 0, r.stderr
    assert (out / "rc").read_text().strip() == "2"
    _one_clear_line((out / "err").read_text(), str(target / "metrics.csv"), "read-only")
    assert (target / "metrics.csv").read_text() == "old content\n"
    assert sorted(p.name for p in target.iterdir()) == ["metrics.csv"]


FULL_DISK = ('mount -t tmpfs -o size=320k tmpfs "$D" && '
             'HEAVYLEGS_DATA_DIR="$D" "$HL" athletes add Ann >/dev/null && '
             'printf "old content\\n" >"$D/metrics.csv" && '
             '{ dd if=/dev/zero of="$D/filler" bs=4k 2>/dev/null; true; } && ')


def test_a_full_disk_is_one_clear_error_and_loses_nothing(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    check = ("import json, sys; from heavylegs_core.io.store import open_store; "
             "s = open_store(sys.argv[1]); "
             "print(json.dumps({'ok': s.integrity_ok(), 'names': [a.name for a in s.athletes()]}))")
    r = in_namespace(
        FULL_DISK
        + 'df -k "$D" | tail -1 >"$O/df"; '
        + 'HEAVYLEGS_DATA_DIR="$D" "$HL" athletes add Bob 2>"$O/add.err"; echo $? >"$O/add.rc"; '
        + '"$HL" metrics --training "$SRPE" --out "$D/metrics.csv" 2>"$O/out.err"; echo $? >"$O/out.rc"; '
        + 'cp "$D/metrics.csv" "$O/metrics.after"; ls -a "$D" >"$O/files"; '
        # free the space again: the database must open, be intact and hold exactly what was saved
        + 'rm "$D/filler" && "$PY" -c "$CHECK" "$D/athletes.sqlite3" >"$O/check.json"',
        {"D": str(disk), "O": str(out), "SRPE": SRPE, "PY": sys.executable, "CHECK": check})
    assert r.returncode == 0, r.stderr
    assert (out / "df").read_text().split()[3] == "0", "the disk was not full: the test proves nothing"
    assert (out / "add.rc").read_text().strip() == "2"
    _one_clear_line((out / "add.err").read_text(), "disk", "full", "nothing was changed")
    assert (out / "out.rc").read_text().strip() == "2"
    _one_clear_line((out / "out.err").read_text(), "metrics.csv", "disk is full")
    assert (out / "metrics.after").read_text() == "old content\n"  # the old output is untouched
    assert not [n for n in (out / "files").read_text().split() if n.endswith(".tmp")]  # no temp file left
    assert json.loads((out / "check.json").read_text()) == {"ok": True, "names": ["Ann"]}


# ------------------------------------------------------------------ a kernel killed mid-session


@pytest.fixture(scope="module")
def served_with_records(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The workbook as ``heavylegs app`` serves it, with a data folder holding saved athletes."""
    data = tmp_path_factory.mktemp("fault-data")
    for name in ("Ann", "Bea"):
        assert cli("athletes", "add", name, data=data).returncode == 0
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    with server.running(server.voila_command(port), url=base + "/", env={**os.environ, "HEAVYLEGS_DATA_DIR": str(data)},
                        log=ARTIFACTS / "voila-faults.log"):
        yield base, data


def kernel_process(kernel_id: str) -> psutil.Process:
    """The kernel's process, found by the connection file Jupyter names after the kernel id."""
    for proc in psutil.process_iter(["cmdline"]):
        if any(f"kernel-{kernel_id}.json" in part for part in proc.info["cmdline"] or []):
            return proc
    raise AssertionError(f"no process for kernel {kernel_id}")


@pytest.mark.e2e
def test_a_killed_kernel_shows_a_banner_and_restart_gives_a_fresh_app(guarded_page, served_with_records):
    base, data = served_with_records
    page = guarded_page
    page.goto(f"{base}/voila/render/01_assessment.ipynb")
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=120_000)
    expect(page.locator(".hl-kernel-lost")).to_have_count(0)
    kernel_id = json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]
    kernel = kernel_process(kernel_id)
    page.locator("button.hl-next").click()  # a session in use, not just loaded

    kernel.send_signal(signal.SIGKILL)
    kernel.wait(timeout=30)
    banner = page.locator(".hl-error.hl-kernel-lost")
    expect(banner).to_be_visible(timeout=60_000)
    # the server is up, so the page learnt it from the kernel status the server sent, not a lost socket
    expect(banner).to_have_attribute("data-reason", re.compile(r"^kernel-(restarting|autorestarting|dead)$"))
    expect(banner).to_contain_text("session has stopped")
    expect(banner).to_contain_text("Athlete records you saved are safe")
    expect(banner.get_by_role("button", name="Restart")).to_be_focused()
    assert _athlete_names(data) == ["Ann", "Bea"]  # nothing lost from the records

    banner.get_by_role("button", name="Restart").click()
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=120_000)
    expect(page.locator(".hl-kernel-lost")).to_have_count(0)
    new_id = json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]
    assert new_id != kernel_id and kernel_process(new_id).is_running()
    # the fresh app answers: Next moves to the next step
    step = page.locator(".hl-step").inner_text()
    page.locator("button.hl-next").click()
    page.wait_for_function("t => document.querySelector('.hl-step').innerText !== t", arg=step)
