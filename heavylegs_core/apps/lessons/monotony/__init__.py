"""Lesson 3: monotony, strain and "too many moderate sessions".

:mod:`.model` holds the numbers (``FACTS``, ``QUESTIONS``, :class:`~.model.WeekModel`),
:mod:`.view` the apps (``week_app``, ``athlete_app``, ``quiz_app``). No imports here.
"""
