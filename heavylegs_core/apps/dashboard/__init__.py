"""The load and sleep dashboard app (issue #7): did load outrun recovery?

``model.py`` holds the state and the numbers (no widgets); ``view.py`` the widgets, the
chart and the notebook's entry point, :func:`heavylegs_core.apps.dashboard.view.dashboard_app`.
"""
