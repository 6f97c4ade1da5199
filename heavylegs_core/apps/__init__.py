"""Layer 5, apps: the screens the notebooks show: the landing page, the assessment, the
dashboard, the coach's roster and the lessons.

Each app is a model (plain state and the operations on it, testable without widgets)
and a view (the widgets that show the model and forward the user's actions). Imports
every layer below.
"""
