"""Lesson 5: how the cause model reasons.

:mod:`.model` holds the numbers (``FACTS``, ``QUESTIONS``, :class:`~.model.CaseModel`),
:mod:`.view` the apps (``case_app``, ``quiz_app``). No imports here.
"""
