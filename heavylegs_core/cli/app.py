"""``heavylegs app``: serve the workbook with Voila, landing page first."""

from __future__ import annotations

import argparse

NAME = "app"
HELP = "serve the workbook with Voila on 127.0.0.1 (default port 8866), landing page first"


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1024 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range: use 1024-65535")
    return port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=_port, default=8866, help="port to listen on (default 8866)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument("--no-preheat", action="store_true",
                        help="start each page's kernel when the page is opened (saves memory; pages open slower)")


def run(args: argparse.Namespace) -> int:
    import sys
    import threading
    import webbrowser

    from heavylegs_core.serve import (
        server,  # Voila's launcher and the web stack: only for this command
    )

    server.check_port(args.port)  # say so before the charts are prepared
    sys.stderr.write("heavylegs: preparing the charts (slow only the first time)...\n")
    server.prebuild()  # chart JavaScript as a static file, first views cached for every kernel
    extra = [] if args.no_preheat else server.preheat_options(server.preheated_notebooks())
    proc = server.start(args.port, extra=extra)
    url = server.landing_url(args.port)

    def announce() -> None:
        try:
            server.wait_until_up(url, proc)
        except RuntimeError as exc:
            sys.stderr.write(f"heavylegs: {exc}\n")
            return
        sys.stderr.write(f"\nheavylegs is running: open {url}\n(press Ctrl+C to stop)\n\n")
        if not args.no_browser:
            webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=20)
        return 0
