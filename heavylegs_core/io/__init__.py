"""Layer 3, input and output: the importers of device and app exports, the bundled PMData
sample, the athlete store (SQLite), the portable file and the upload tickets.

Reads and writes files; turns them into the domain's records. Imports ``base``,
``knowledge`` and ``domain``.
"""
