"""heavylegs: why do my legs feel heavy? An interactive coaching workbook.

The package holds everything the notebooks show: the canonical training and
sleep records, the daily metrics, the cause model, the charts and the widget
apps. Notebooks only call it. Heavy modules are imported lazily so that the
command line and the apps start quickly.
"""

__version__ = "0.1.0"

EDUCATIONAL_NOTE = (
    "Educational material, not a diagnosis. heavylegs points towards likely "
    "contributors and safe next steps; it cannot rule anything in or out. "
    "If you are worried, or a warning sign applies, see a doctor."
)
