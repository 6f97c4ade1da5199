"""The landing page app: what the workbook is for, where to go, one real chart.

``model.py`` holds the table of contents and the chosen sample athlete (no widgets);
``view.py`` the widgets, the chart and the notebook's entry point,
:func:`heavylegs_core.apps.landing.view.landing_app`.
"""
