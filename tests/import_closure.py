"""What importing a module costs: the heavy libraries it loads, each module in a fresh interpreter.

Used by ``tests/test_layers.py`` to check the one rule for imports inside functions: a
function may import a package module late only when importing it at the top would load
a heavy library (:data:`HEAVY`) that the importing module does not load already. Every
other import stands at the top, where a reader sees it.
"""

from __future__ import annotations

import json
import subprocess
import sys

#: Libraries whose import costs tens of milliseconds or more (measured with ``python -X importtime``);
#: start-up keeps them out until needed. The standard library's web stack counts too: ``heavylegs
#: --help`` loads every command module, and the ``app`` command alone needs it.
HEAVY: tuple[str, ...] = ("pandas", "numpy", "altair", "pydantic", "yaml", "ipywidgets", "vl_convert", "lxml",
                          "fitdecode", "jsonschema", "tornado", "jupyter_server", "voila", "psutil", "scipy",
                          "urllib.request", "http.client", "ssl", "asyncio", "sqlite3")

_SCRIPT = r"""
import json, os, sys
heavy = set(json.loads(sys.argv[1]))
out = {}
for name in json.loads(sys.argv[2]):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            __import__(name)
            got = sorted(h for h in heavy if h in sys.modules)
            got += sorted(m for m in sys.modules if m.startswith("heavylegs_core"))
        except BaseException as exc:  # reported, not hidden (SystemExit included)
            got = {"error": f"{type(exc).__name__}: {exc}"}
        os.write(w, json.dumps(got).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    out[name] = json.loads(data)
print(json.dumps(out))
"""


def heavy_closure(modules: list[str]) -> dict[str, set[str]]:
    """For each module, the :data:`HEAVY` libraries and the heavylegs_core modules its import loads
    (each in a fresh forked interpreter)."""
    done = subprocess.run([sys.executable, "-c", _SCRIPT, json.dumps(HEAVY), json.dumps(modules)],
                          capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    errors = {m: v["error"] for m, v in result.items() if isinstance(v, dict)}
    if errors:
        raise ImportError("modules that fail to import: " + "; ".join(f"{m}: {e}" for m, e in errors.items()))
    return {m: set(v) for m, v in result.items()}
