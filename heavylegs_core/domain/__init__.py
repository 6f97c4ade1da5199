"""Layer 2, the domain: the canonical records, the athlete profile, the daily metrics, the
cause model, one training-and-sleep ``History`` and the coach's timeline and comparisons.

Pure computation on data already in memory: no files, no widgets, no HTML. Imports only
``base`` and ``knowledge``.
"""
