"""heavylegs: why do my legs feel heavy? An interactive coaching workbook.

The package holds everything the notebooks show: the canonical training and
sleep records, the daily metrics, the cause model, the charts and the widget
apps. Notebooks only call it. Heavy modules are imported lazily so that the
command line and the apps start quickly.
"""

import sys

__version__ = "0.1.0"

# Altair validates charts with jsonschema, which imports rfc3987-syntax (when installed, as
# jupyter-events makes it) only to offer an "iri" format checker that no chart schema uses.
# Building that package's grammar costs 2-4 s at every kernel start, so it is marked
# unavailable here, before Altair is imported; jsonschema then skips that one checker.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
