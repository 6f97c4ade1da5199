"""The roster app: a coach's athletes, their assessments over time, follow-ups and reports.

``model.py`` holds the state and the operations on the athlete records (no widgets);
``view.py`` the widgets and the notebook's entry point,
:func:`heavylegs_core.apps.roster.view.roster_app`.
"""
