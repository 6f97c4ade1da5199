"""``python -m heavylegs_core.cli``: the ``heavylegs`` command without the console script."""

from heavylegs_core.cli import main

raise SystemExit(main())
