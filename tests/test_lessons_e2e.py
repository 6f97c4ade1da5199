"""Lessons in a real browser through Voila: every app ready, charts drawn offline, the quiz answers."""

from __future__ import annotations

import importlib

import pytest
from playwright.sync_api import expect

LESSONS = {  # notebook: (lesson's model module, number of apps in it, number of charts)
    "11_lesson_fitness_fatigue.ipynb": ("heavylegs_core.apps.lessons.fitness_fatigue.model", 3, 2),
    "12_lesson_acwr.ipynb": ("heavylegs_core.apps.lessons.acwr.model", 4, 2),
    "13_lesson_monotony_strain.ipynb": ("heavylegs_core.apps.lessons.monotony.model", 3, 2),
    "14_lesson_sleep.ipynb": ("heavylegs_core.apps.lessons.sleep.model", 3, 2),
    "15_lesson_cause_model.ipynb": ("heavylegs_core.apps.lessons.cause_model.model", 2, 0),
}


@pytest.mark.e2e
@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_lesson_renders_its_apps_charts_and_quiz_in_voila(guarded_page, voila_url, lesson):
    module, apps, charts = LESSONS[lesson]
    first = importlib.import_module(module).QUESTIONS[0]
    page = guarded_page
    page.goto(f"{voila_url}/voila/render/{lesson}")
    expect(page.locator(".hl-quiz").first).to_be_visible(timeout=120_000)
    assert page.locator(".hl-app.hl-ready").count() == apps
    assert page.locator(".hl-error:visible").count() == 0
    if charts:
        marks = page.locator(".hl-chart svg path[role='graphics-symbol'], .hl-chart svg .mark-rect path")
        expect(marks.first).to_be_attached(timeout=60_000)
        expect(page.locator(".hl-chart svg").nth(charts - 1)).to_be_attached(timeout=60_000)
    else:
        assert page.locator(".hl-chart").count() == 0
    assert page.locator(".jp-OutputArea-output [data-mime-type*='stderr']").count() == 0
    quiz = page.locator(".hl-quiz").first
    quiz.get_by_role("radio").nth(first.correct).check()
    quiz.get_by_role("button", name="Check").click()
    expect(quiz.get_by_text("Right.", exact=False)).to_be_visible(timeout=30_000)
    quiz.get_by_role("button", name="Reveal answer").click()
    expect(quiz.get_by_text("Answer:", exact=False)).to_be_visible(timeout=30_000)
