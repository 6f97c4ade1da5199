"""Units shared by the metrics' summaries and the charts."""

KM_PER_MILE = 1.609344
"""Kilometres in one international mile (exact by definition)."""
