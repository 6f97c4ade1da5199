"""The assessment app: a coach and an athlete walk through "why are my legs heavy?".

``model.py`` holds the state and the operations (no widgets); ``view.py`` the widgets and
the notebook's entry point, :func:`heavylegs_core.apps.assessment.view.assessment_app`.
"""
