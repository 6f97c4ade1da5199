"""Load: one Voila server, 20 browser sessions of the assessment at once, then culling.

One Voila server (started here, with a short culling configuration) serves the
assessment app to ``SESSIONS`` Chromium contexts, opened a second apart and
then all working at the same time (one browser process, Playwright's async API;
every context is a Voila session with its own kernel and websocket). Each session answers the athlete step, passes the
safety screen, changes answers on two steps (every change is timed from the
answer to the updated results) and checks that the results show contributors.
All must complete with no page error, no request off the loopback interface and
no ``.hl-error`` text.

Then every context is closed without running its unload handlers (as a crashed or
killed tab: Voila is not told), and the kernels must be culled within the
configured idle time plus one culling interval and a grace for process exit,
counted as ipykernel processes under the server. The server's own memory must
come back near its baseline, taken after a warm-up session (the first session
imports and caches what every later one reuses).

The shipped voila.json culls after 600 s idle, checked every 60 s; here 90 s and
2 s keep the test short (not less: see CULL_IDLE_S). The figures (round
trip p50/p95, seconds until the kernels were gone, server RSS baseline/peak/after)
are printed and written to test-artifacts/load.json; nothing here asserts how fast
the app is.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

import psutil
import pytest
from conftest import ARTIFACTS, CHROMIUM_ARGS, LOOPBACK, chromium_path

from heavylegs_core import server

pytestmark = [pytest.mark.e2e, pytest.mark.load]

SESSIONS = 20
CULL_INTERVAL_S = 2
#: must exceed the time from a kernel's start to its page's connection under this load: a
#: kernel with no connection is culled even while its page is still loading. On the 2-core
#: development machine shared with other jobs (load average 10-20) pages took 90-200 s to
#: load, and at 10, 30, 60 and even 90 s kernels were culled before their pages connected
#: (8 of 20 lost at 90 s). The test needs a machine of its own (the CI runner).
CULL_IDLE_S = 90
#: time for a culled kernel's process to exit on a busy 2-core machine (s)
EXIT_GRACE_S = 30
#: the server may keep this much more than its baseline after the sessions (MB): 3 MB for
#: each session it served at once. Measured here: +44 MB after 20 sessions, about as much as
#: the peak (Python's allocator keeps freed arenas; tornado and zmq keep their buffers). A
#: leak that grows with every session served would exceed it; whether the +44 MB is a one-off
#: high-water mark or grows round after round needs a second round (not run here: time).
RSS_MARGIN_MB = 3 * SESSIONS
PAGE_TIMEOUT_MS = 300_000
#: sessions open one every ARRIVAL_S seconds (a class arriving, not one instant), then all
#: answer together once every page is ready
ARRIVAL_S = 1.0
#: how long Voila waits for a cell's output after the kernel replied (s). nbclient's default
#: of 4 s drops the app's output when 20 kernels start at once on 2 cores: every page then
#: stays blank (seen here: 20 of 20). The shipped voila.json should carry the same setting.
IOPUB_TIMEOUT_S = 60
APP = "01_assessment.ipynb"

#: (step title part, [(question id, option label), ...]): every change alters the results
ANSWERS = [
    ("Your heavy legs", [
        ("in_run", "At the start, then it eases after 10-15 minutes"),
        ("in_run", "It comes on partway through, once I have settled into pace"),
        ("course", "Several runs or days in a row"),
        ("duration", "More than 3 weeks"),
    ]),
    ("Recent training", [
        ("recent_increase", "Yes"),
        ("longest_run_jump", "Yes, more than 30 % longer"),
    ]),
]


@dataclass
class Session:
    """What one browser session did."""

    index: int
    round_trips_ms: list[float] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    error_text: str = ""
    results_text: str = ""
    ready_s: float = 0.0
    completed: bool = False
    failure: str = ""


def kernels(proc: psutil.Process) -> list[psutil.Process]:
    """The ipykernel processes the server started."""
    out = []
    for child in proc.children(recursive=True):
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                out.append(child)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return out


def rss_mb(proc: psutil.Process) -> float:
    return proc.memory_info().rss / 1e6


async def next_until(page, title_part: str) -> None:
    """Click Next until the step title contains ``title_part``."""
    for _ in range(30):
        title = await page.locator(".hl-step").inner_text()
        if title_part in title:
            return
        await page.locator("button.hl-next").click()
        await page.wait_for_function("t => document.querySelector('.hl-step').innerText !== t",
                                     arg=title, timeout=PAGE_TIMEOUT_MS)
    raise AssertionError(f"no step titled {title_part!r}")


async def answer(page, qid: str, label: str) -> float:
    """Choose ``label`` for ``qid``; milliseconds until the results show the change."""
    await page.evaluate("() => { window.__hlBefore = document.querySelector('.hl-results').innerHTML; }")
    t0 = time.perf_counter()
    await page.locator(f".hl-q-{qid} select").select_option(label=label)
    await page.wait_for_function(
        "() => document.querySelector('.hl-results').innerHTML !== window.__hlBefore",
        timeout=PAGE_TIMEOUT_MS)
    return (time.perf_counter() - t0) * 1000


class Gate:
    """Opens once ``n`` sessions have arrived (ready, or failed on the way)."""

    def __init__(self, n: int):
        self.n, self.arrived = n, 0
        self.event = asyncio.Event()

    def arrive(self) -> None:
        self.arrived += 1
        if self.arrived >= self.n:
            self.event.set()

    async def wait(self) -> None:
        await asyncio.wait_for(self.event.wait(), PAGE_TIMEOUT_MS / 1000)


async def run_session(browser, url: str, s: Session, gate: Gate) -> None:
    """One coach's assessment in its own browser context (its own Voila kernel), closed abruptly.

    The context is closed without running unload handlers (as a crashed or killed
    browser): only culling can end its kernel.
    """
    await asyncio.sleep(s.index * ARRIVAL_S)
    # the simulated users ask for reduced motion (the template honours it): on this machine the
    # 20 browsers share 2 cores with the server, and Voila's animated loader otherwise costs
    # each page CPU for as long as it waits (real users' browsers run on their own devices)
    context = await browser.new_context(reduced_motion="reduce")
    page = await context.new_page()
    page.on("request", lambda r: _note_external(r.url, s))
    arrived = False
    try:
        page.on("pageerror", lambda exc: s.page_errors.append(str(exc)))

        async def on_dialog(d) -> None:
            s.dialogs.append(d.message)
            await d.dismiss()

        page.on("dialog", on_dialog)
        t0 = time.perf_counter()
        await page.goto(url, timeout=PAGE_TIMEOUT_MS)
        await page.locator(".hl-app.hl-ready").wait_for(timeout=PAGE_TIMEOUT_MS)
        s.ready_s = time.perf_counter() - t0
        await page.locator(".hl-q-sex select").select_option(label="Female")
        await page.locator(".hl-q-age input").fill("34")
        await page.locator(".hl-q-age input").press("Tab")
        gate.arrive()
        arrived = True
        await gate.wait()  # from here on all sessions work at the same time
        for title, answers in ANSWERS:  # the red-flag steps are passed unanswered
            await next_until(page, title)
            for qid, label in answers:
                s.round_trips_ms.append(await answer(page, qid, label))
        results = page.locator(".hl-results")
        await results.locator(".hl-contributor").first.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)
        s.results_text = await results.inner_text()
        s.error_text = (await page.locator(".hl-error").inner_text()).strip()
        s.completed = True
    except Exception as exc:  # noqa: BLE001  (recorded and asserted on, with the session's number)
        s.failure = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if not arrived:
            gate.arrive()
        await page.screenshot(path=str(ARTIFACTS / f"load-failed-{s.index}.png"), full_page=True)
    finally:
        await context.close()


def _note_external(url: str, s: Session) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    if not (url.startswith(("data:", "blob:", "about:")) or host in LOOPBACK):
        s.external.append(url)


#: Non-loopback hosts do not resolve in this browser. (Not Playwright's request routing:
#: routing turns the HTTP cache off and sends every request through this Python thread;
#: with 20 pages the browser then took minutes to load them.) Requests are still recorded.
LOOPBACK_ONLY_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"]


async def drive(url: str, n: int) -> list[Session]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS + LOOPBACK_ONLY_ARGS)
        try:
            # one context per session: own cache and own connection pool, as 20 coaches
            # (pages of one context share six connections per host, and with 20 Voila pages
            # streaming at once they waited for each other past the culling time)
            sessions = [Session(i) for i in range(n)]
            gate = Gate(n)
            await asyncio.gather(*(run_session(browser, url, s, gate) for s in sessions))
            return sessions
        finally:
            await browser.close()


def drive_in_thread(url: str, n: int) -> list[Session]:
    """Run the async driver on its own event loop (pytest-playwright's sync API owns this thread)."""
    out: dict[str, object] = {}

    def target() -> None:
        try:
            out["sessions"] = asyncio.run(drive(url, n))
        except BaseException as exc:  # noqa: BLE001  (re-raised in the test's thread)
            out["error"] = exc

    t = threading.Thread(target=target, name="load-driver")
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out["sessions"]  # type: ignore[return-value]


class Sampler(threading.Thread):
    """Samples the server's RSS and kernel count every ``every`` seconds (peaks)."""

    def __init__(self, proc: psutil.Process, every: float = 0.5):
        super().__init__(name="load-sampler", daemon=True)
        self.proc, self.every = proc, every
        self.peak_rss_mb = 0.0
        self.peak_kernels = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.every):
            try:
                self.peak_rss_mb = max(self.peak_rss_mb, rss_mb(self.proc))
                self.peak_kernels = max(self.peak_kernels, len(kernels(self.proc)))
            except psutil.Error:
                return

    def stop(self) -> None:
        self._halt.set()
        self.join()


def wait_for_no_kernels(proc: psutil.Process, limit_s: float) -> float | None:
    """Seconds until no kernel process is left, or None if some remain after ``limit_s``."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        if not kernels(proc):
            return time.monotonic() - t0
        time.sleep(0.5)
    return None


def settled_rss_mb(proc: psutil.Process, samples: int = 6) -> float:
    """The server's RSS once it is idle: the median of a few samples half a second apart."""
    values = []
    for _ in range(samples):
        time.sleep(0.5)
        values.append(rss_mb(proc))
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q * len(ordered) + 0.5)))
    return ordered[rank - 1]


def describe(sessions: list[Session]) -> str:
    bad = [s for s in sessions if not s.completed or s.page_errors or s.external or s.dialogs or s.error_text]
    return "; ".join(f"#{s.index}: {s.failure or s.page_errors or s.external or s.dialogs or s.error_text}"
                     for s in bad)


def test_twenty_sessions_complete_then_kernels_are_culled_and_memory_returns():
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    url = f"{base}/voila/render/{APP}"
    ARTIFACTS.mkdir(exist_ok=True)
    cmd = server.voila_command(port, extra=[
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_S}",
    ])
    limit_s = CULL_IDLE_S + CULL_INTERVAL_S + EXIT_GRACE_S
    with server.running(cmd, url=base + "/", log=ARTIFACTS / "voila-load.log") as popen:
        proc = psutil.Process(popen.pid)

        # warm-up: one full session, then its kernel is culled; the baseline is taken after that
        # warm-up: one session; its kernel is left to be culled with the others (a kernel is a
        # process of its own: it does not count in the server's RSS)
        t_start = time.monotonic()
        warm = drive_in_thread(url, 1)
        warm_s = time.monotonic() - t_start
        assert warm[0].completed, describe(warm)
        baseline = settled_rss_mb(proc)

        sampler = Sampler(proc)
        sampler.start()
        t0 = time.monotonic()
        sessions = drive_in_thread(url, SESSIONS)
        wall_s = time.monotonic() - t0
        closed_at = time.monotonic()
        gone_after = wait_for_no_kernels(proc, limit_s)
        sampler.stop()
        gone_after_close = None if gone_after is None else time.monotonic() - closed_at
        left = len(kernels(proc))
        after = settled_rss_mb(proc)

    trips = [ms for s in sessions for ms in s.round_trips_ms]
    figures = {
        "sessions": SESSIONS,
        "completed": sum(s.completed for s in sessions),
        "warm_up_s": round(warm_s, 1),
        "ready_s_median": round(statistics.median(s.ready_s for s in sessions), 1),
        "ready_s_max": round(max(s.ready_s for s in sessions), 1),
        "wall_s": round(wall_s, 1),
        "round_trips": len(trips),
        "round_trip_ms_p50": round(statistics.median(trips), 1) if trips else None,
        "round_trip_ms_p95": round(percentile(trips, 0.95), 1) if trips else None,
        "round_trip_ms_max": round(max(trips), 1) if trips else None,
        "peak_kernels": sampler.peak_kernels,
        "cull_interval_s": CULL_INTERVAL_S,
        "cull_idle_timeout_s": CULL_IDLE_S,
        "kernels_gone_after_close_s": None if gone_after_close is None else round(gone_after_close, 1),
        "kernels_left": left,
        "server_rss_mb_baseline": round(baseline, 1),
        "server_rss_mb_peak": round(sampler.peak_rss_mb, 1),
        "server_rss_mb_after": round(after, 1),
    }
    (ARTIFACTS / "load.json").write_text(json.dumps(figures, indent=2))
    print("\nload:", json.dumps(figures))  # noqa: T201  (the figures the issue asks to report)

    assert figures["completed"] == SESSIONS, describe(sessions)
    assert all("Today:" in s.results_text for s in sessions)
    assert not describe(sessions), describe(sessions)
    assert len(trips) == SESSIONS * sum(len(a) for _, a in ANSWERS)
    # the warm-up session's kernel may still be waiting for its culling: at least SESSIONS
    assert sampler.peak_kernels >= SESSIONS, "the sessions' kernels did not all run at the same time"
    assert gone_after is not None, f"{left} kernels were still running {limit_s} s after the sessions closed"
    assert after <= baseline + RSS_MARGIN_MB, (
        f"server RSS {after:.0f} MB after the sessions, baseline {baseline:.0f} MB")
