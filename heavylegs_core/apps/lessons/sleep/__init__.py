"""Lesson 4: sleep and recovery.

:mod:`.model` holds the numbers (``FACTS``, ``QUESTIONS``, :class:`~.model.SleepWeekModel`,
:class:`~.model.SleepAthleteModel`), :mod:`.view` the apps (``week_app``, ``athlete_app``,
``quiz_app``). No imports here.
"""
