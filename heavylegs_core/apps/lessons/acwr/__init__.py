"""Lesson 2: the acute:chronic workload ratio and its critics.

:mod:`.model` holds the numbers (``FACTS``, ``QUESTIONS``, :class:`~.model.CouplingModel`,
:class:`~.model.SpikeModel`), :mod:`.view` the apps (``ratios_app``, ``coupling_app``,
``spike_app``, ``quiz_app``). No imports here.
"""
