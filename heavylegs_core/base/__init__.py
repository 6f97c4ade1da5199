"""Layer 0, the base: errors the user can act on, atomic writes and where files live.

Imports nothing else from heavylegs_core. Every other layer may import it.
"""
