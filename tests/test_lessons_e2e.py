"""A lesson in a real browser through Voila: every app ready, charts drawn offline, the quiz answers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

LESSON = "11_lesson_fitness_fatigue.ipynb"


@pytest.mark.e2e
def test_lesson_renders_its_apps_charts_and_quiz_in_voila(guarded_page, voila_url):
    page = guarded_page
    page.goto(f"{voila_url}/voila/render/{LESSON}")
    expect(page.locator(".hl-quiz").first).to_be_visible(timeout=120_000)
    assert page.locator(".hl-app.hl-ready").count() == 3
    marks = page.locator(".hl-chart svg path[role='graphics-symbol'], .hl-chart svg .mark-rect path")
    expect(marks.first).to_be_attached(timeout=60_000)
    assert page.locator(".hl-chart svg").count() >= 2
    assert page.locator(".jp-OutputArea-output [data-mime-type*='stderr']").count() == 0
    quiz = page.locator(".hl-quiz").first
    quiz.get_by_role("radio").nth(1).check()
    quiz.get_by_role("button", name="Check").click()
    expect(quiz.get_by_text("Right.", exact=False)).to_be_visible(timeout=30_000)
    quiz.get_by_role("button", name="Reveal answer").click()
    expect(quiz.get_by_text("Answer:", exact=False)).to_be_visible(timeout=30_000)
