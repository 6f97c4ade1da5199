"""Layer 0, the base: errors the user can act on, atomic writes, where files live, and the names
and units of the daily metrics table (interfaces.md section 3), which the knowledge base checks
its thresholds against and the domain computes.

Imports nothing else from heavylegs_core. Every other layer may import it.
"""
