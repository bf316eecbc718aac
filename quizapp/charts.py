"""Server-rendered SVG charts: no script, no CDN, colours from CSS classes (dark mode aware)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape


def bar_chart(
    points: Sequence[tuple[str, int]], *, title: str, chart_id: str, label_every: int = 5
) -> Markup:
    """A bar chart of (label, value) pairs, with a <title> and <desc> for screen readers."""
    width, height, pad_left, pad_bottom, pad_top = 600, 160, 28, 22, 8
    plot_h = height - pad_bottom - pad_top
    peak = max((v for _, v in points), default=0) or 1
    slot = (width - pad_left) / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        h = plot_h * value / peak
        x = pad_left + i * slot + slot * 0.15
        y = pad_top + plot_h - h
        bars.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if i % label_every == 0:
            # A tick under the labelled bar says which bar the date belongs to.
            centre = pad_left + (i + 0.5) * slot
            base = pad_top + plot_h
            bars.append(
                f'<line class="tick" x1="{centre:.1f}" y1="{base}" x2="{centre:.1f}" '
                f'y2="{base + 4}"/><text x="{centre:.1f}" y="{height - 4}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    axis = (
        f'<line class="axis" x1="{pad_left}" y1="{pad_top + plot_h}" '
        f'x2="{width}" y2="{pad_top + plot_h}"/>'
        f'<text x="0" y="{pad_top + 8}">{peak}</text><text x="0" y="{pad_top + plot_h}">0</text>'
    )
    total = sum(v for _, v in points)
    desc = f"{title}: {total} in all, at most {peak} on one day."
    # Every interpolated text above went through escape(); the rest are numbers.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{axis}{''.join(bars)}</svg>"
    )


def heat_level(count: int, peak: int) -> int:
    """Bucket a day's count into one of five shades (0 = none)."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, 1 + (4 * (count - 1)) // max(peak, 1))


def heatmap(counts: dict[date, int], today: date, *, days: int = 365, title: str) -> Markup:
    """A calendar heatmap of the past `days` study days, weeks as columns (Monday on top)."""
    cell, gap, top, left = 11, 2, 14, 24
    start = today - timedelta(days=days - 1)
    start -= timedelta(days=start.weekday())
    weeks = (today - start).days // 7 + 1
    width, height = left + weeks * (cell + gap), top + 7 * (cell + gap)
    peak = max(counts.values(), default=0)
    parts = []
    day = start
    while day <= today:
        col, row = (day - start).days // 7, day.weekday()
        n = counts.get(day, 0)
        parts.append(
            f'<rect class="heat-{heat_level(n, peak)}" x="{left + col * (cell + gap)}" '
            f'y="{top + row * (cell + gap)}" width="{cell}" height="{cell}" rx="2">'
            f"<title>{day.isoformat()}: {n} answer{'s' if n != 1 else ''}</title></rect>"
        )
        if day.day == 1:
            parts.append(
                f'<text x="{left + col * (cell + gap)}" y="10">{day.strftime("%b")}</text>'
            )
        day += timedelta(days=1)
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        parts.append(f'<text x="0" y="{top + row * (cell + gap) + 9}">{name}</text>')
    active = sum(1 for v in counts.values() if v)
    desc = f"{title}: {sum(counts.values())} answers on {active} days; busiest day {peak}."
    # Every interpolated text went through escape(); the rest are numbers and ISO dates.
    return Markup(  # noqa: S704
        f'<svg class="chart heatmap" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(desc)}">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def percent_trend(points: Sequence[tuple[str, int]], *, title: str, chart_id: str) -> Markup:
    """A line of percentages (0-100) in order, one labelled dot per point."""
    width, height, pad_left, pad_bottom, pad_top = 600, 160, 34, 22, 10
    plot_h = height - pad_bottom - pad_top
    slot = (width - pad_left) / max(len(points), 1)
    coords = [
        (pad_left + (i + 0.5) * slot, pad_top + plot_h * (1 - min(100, max(0, v)) / 100))
        for i, (_, v) in enumerate(points)
    ]
    parts = [
        f'<line class="axis" x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width}" '
        f'y2="{pad_top + plot_h}"/>'
        f'<text x="0" y="{pad_top + 8}">100%</text><text x="0" y="{pad_top + plot_h}">0%</text>'
    ]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline class="trend" fill="none" points="{path}"/>')
    for (label, value), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="4">'
            f"<title>{escape(label)}: {value}%</title></circle>"
        )
    values = [v for _, v in points]
    desc = f"{title}: {len(values)} point{'s' if len(values) != 1 else ''}" + (
        f", from {values[0]}% to {values[-1]}%, best {max(values)}%." if values else "."
    )
    # Every interpolated text went through escape(); the rest are numbers.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{''.join(parts)}</svg>"
    )
