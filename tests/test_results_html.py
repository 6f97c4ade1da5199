"""The results view's HTML: icon arrays that match the numbers beside them."""

from __future__ import annotations

import re

import pytest

from heavylegs_core.domain.model import assess
from heavylegs_core.knowledge import load_knowledge
from heavylegs_core.views.results_html import icon_array, results_html


@pytest.mark.parametrize(("n", "filled"), [(0, 0), (1, 1), (37, 37), (100, 100), (-5, 0), (140, 100)])
def test_icon_array_fills_the_first_n_of_100(n, filled):
    html = icon_array(n, label="about n in 100")
    assert html.count("<b></b>") == filled
    assert html.count("<i></i>") == 100 - filled
    if 0 < filled < 100:  # grouped: every filled icon before every empty one
        assert html.rindex("<b></b>") < html.index("<i></i>")


def test_icon_array_is_one_image_with_an_escaped_name():
    html = icon_array(12, label='about 12 in 100 <script>"')
    assert html.startswith('<span class="hl-icons" role="img" aria-label="about 12 in 100 &lt;script&gt;&quot;">')
    assert "<script>" not in html


def test_every_contributor_shows_as_many_filled_icons_as_its_number():
    result = assess({"in_run": "start_then_eases", "course": "several_days", "recent_increase": "yes"})
    html = results_html(result)
    articles = re.findall(r'<article class="hl-contributor".*?</article>', html)
    assert articles
    for article in articles:
        n = int(re.search(r"About (\d+) in 100", article).group(1))
        assert article.count("<b></b>") == n
        assert article.count("<b></b>") + article.count("<i></i>") == 100


def test_an_incomplete_warning_sign_screen_is_said_plainly() -> None:
    html = results_html(assess({"in_run": "midway", "rf_chest_pain": "dont_know"}))
    assert 'class="hl-screen-incomplete" role="alert"' in html and "not a 'no'" in html
    assert html.index("hl-screen-incomplete") < html.index("Likely contributors")
    flags = {q.id: "no" for q in load_knowledge().questions if q.section == "red_flags" and q.show_if is None}
    assert "hl-screen-incomplete" not in results_html(assess({**flags, "in_run": "midway"}))


def test_because_panel_explains_the_starting_estimate() -> None:
    from heavylegs_core.views.results_html import contributor_html

    c = assess({"in_run": "midway"}).contributor("load_spike")
    html = contributor_html(c, None)
    assert f"{round(c.prior * 100)} in 100" in html and "the evidence base says 35 in 100" in html
