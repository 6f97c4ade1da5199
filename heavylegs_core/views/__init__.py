"""Layer 4, views: the theme, the Altair charts, the HTML of results and reports, and the
widget building blocks every app shares (error box, value guard, chart widget, upload).

Turns domain objects into something to look at. Imports ``base``, ``knowledge``,
``domain`` and ``io`` (the upload widget writes to an upload ticket).
"""
