"""Lesson 1: fitness, fatigue and form (the Banister impulse-response model).

:mod:`.model` holds the numbers (``FACTS``, ``QUESTIONS``, :class:`~.model.BlockModel`),
:mod:`.view` the apps (``block_app``, ``athlete_app``, ``quiz_app``). No imports here.
"""
