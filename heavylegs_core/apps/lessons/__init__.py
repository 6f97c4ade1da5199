"""The lesson notebooks (notebooks/11_* to 15_*), one folder per lesson, each a model and a view.

Every lesson ``<name>`` is a folder with ``model.py`` (the numbers: scenarios, simulations,
the summaries' HTML, the ``QUESTIONS`` and a ``FACTS`` dict: every number the lesson's text
states, computed by the package and formatted as the text prints it) and ``view.py`` (the
lesson's apps, ``<piece>_app()``: root widgets with the ``hl-app`` and ``hl-ready`` classes,
every callback wrapped with :func:`heavylegs_core.views.widgets.reports_errors`, and the
Altair charts they show). ``tests/test_lessons.py`` checks the notebooks' Markdown against
``FACTS``, so text and code cannot drift apart.

Shared by every lesson: :mod:`.common` (the lessons' start date, run sessions from a daily
series, the educational note) and :mod:`.quiz` (the check-your-understanding quiz).
Notebooks call ``from heavylegs_core.apps.lessons.<name> import view as lesson``.

No imports here, so that importing a model never pulls in ipywidgets (docs/architecture.md).
"""
