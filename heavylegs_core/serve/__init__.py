"""Layer 6, serving: the Voila application ``heavylegs app`` runs, the Jupyter Server
extensions (upload route, memory release) and the pre-built views.

Imports every layer below; nothing imports it except the command line.
"""
