"""Server-rendered charts: each date label sits under its own bar and stays readable."""

from __future__ import annotations

import re
from pathlib import Path

from quizapp.charts import bar_chart

BAR = re.compile(r'<rect class="bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*><title>([^:]+):')
TICK = re.compile(r'<line class="tick" x1="([\d.]+)"[^>]*/><text x="([\d.]+)"[^>]*>([^<]+)</text>')


def test_every_label_has_a_tick_under_the_centre_of_its_own_bar():
    points = [(f"Mar {day:02d}", day % 4) for day in range(1, 31)]
    svg = str(bar_chart(points, title="Due", chart_id="f", label_every=5))
    centres = {label: float(x) + float(w) / 2 for x, w, label in BAR.findall(svg)}
    ticks = TICK.findall(svg)
    assert [label for _, _, label in ticks] == ["Mar 01", "Mar 06", "Mar 11", "Mar 16", "Mar 21",
                                               "Mar 26"]  # fmt: skip
    for tick_x, text_x, label in ticks:
        assert abs(float(tick_x) - centres[label]) < 0.1, label
        assert tick_x == text_x


def test_chart_text_is_enlarged_on_phones():
    css = (Path(__file__).resolve().parent.parent / "quizapp/static/css/app.css").read_text()
    rule = re.search(
        r"@media \(max-width: 600px\) \{ \.chart text \{ font-size: (\d+)px; \} \}", css
    )
    # A 600-unit-wide chart drawn about 370 px wide: 18 units is about 11 px.
    assert rule and int(rule.group(1)) * 370 / 600 >= 11
