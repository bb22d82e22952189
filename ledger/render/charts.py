"""A speaker's charts as inline SVG: calibration against the diagonal, hit rate by year, lateness.

Drawn here as plain SVG elements rather than through a plotting library: a site of a
100,000-claim ledger has thousands of charts, and matplotlib took half a second for each. Every
chart is the same frame (both axes, a light grid, ticks, labels, a title and a legend) with its
marks inside; text is SVG text in the reader's sans-serif font, so nothing is fetched, and no
element has an id, so any number of charts share one page. Every text drawn is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ledger.escape import html as escape
from ledger.render.report import ratio

INK, ACCENT, MUTED, GRID, MEDIAN = "#1f2933", "#1b6ac9", "#7b8794", "#e4e7eb", "#c65d21"
WIDTH, HEIGHT = 520, 360
LEFT, RIGHT, TOP, BOTTOM = 62, 16, 36, 50  # the plot area's margins, room for ticks and labels
UNIT_TICKS = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


class _Chart:
    """One chart: data coordinates on (x0, x1) x (y0, y1) mapped into the plot area."""

    def __init__(self, title: str, x: tuple[float, float], y: tuple[float, float] = (-0.02, 1.05)):
        self.title = title
        (self.x0, self.x1), (self.y0, self.y1) = x, y
        self.marks: list[str] = []
        self.legend: list[tuple[str, str]] = []  # (the swatch's SVG, the label)

    def px(self, x: float) -> float:
        return LEFT + (x - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)

    def py(self, y: float) -> float:
        return HEIGHT - BOTTOM - (y - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)

    def points(self, xs: Sequence[float], ys: Sequence[float]) -> str:
        return " ".join(f"{_n(self.px(x))},{_n(self.py(y))}" for x, y in zip(xs, ys))

    def line(self, xs, ys, *, color=ACCENT, width=1.8, dash: str | None = None, label: str | None = None) -> None:
        style = f' stroke-dasharray="{dash}"' if dash else ""
        self.marks.append(f'<polyline points="{self.points(xs, ys)}" fill="none" stroke="{color}" '
                          f'stroke-width="{width}"{style}/>')
        if label:
            self.legend.append((f'<line x1="0" y1="0" x2="18" y2="0" stroke="{color}" stroke-width="{width}"{style}/>', label))

    def step(self, xs, ys, **style) -> None:
        """A step line that holds each value until the next x (a survival curve)."""
        sx, sy = [xs[0]], [ys[0]]
        for x, y, before in zip(xs[1:], ys[1:], ys):
            sx += [x, x]
            sy += [before, y]
        self.line(sx, sy, **style)

    def band(self, xs, lows, highs, *, label: str) -> None:
        outline = self.points([*xs, *reversed(xs)], [*highs, *reversed(lows)])
        self.marks.append(f'<polygon points="{outline}" fill="{ACCENT}" fill-opacity="0.12"/>')
        self.legend.append((f'<rect x="0" y="-5" width="18" height="10" fill="{ACCENT}" fill-opacity="0.12"/>', label))

    def dot(self, x: float, y: float, r: float = 4, *, label: str | None = None) -> None:
        self.marks.append(f'<circle cx="{_n(self.px(x))}" cy="{_n(self.py(y))}" r="{_n(r)}" fill="{ACCENT}"/>')
        if label and not any(text == label for _, text in self.legend):
            self.legend.append((f'<circle cx="9" cy="0" r="4" fill="{ACCENT}"/>', label))

    def vline(self, x: float, *, color: str, dash: str | None = None, label: str) -> None:
        self.line([x, x], [self.y0, self.y1], color=color, width=1, dash=dash, label=label)

    def text(self, x: float, y: float, words: str, *, dx: float = 0, dy: float = 0, anchor: str = "middle",
             color: str = INK, size: int = 8, data: bool = True) -> None:
        """Words at a data point (``data``), or at a fraction of the plot area."""
        if data:
            px, py = self.px(x), self.py(y)
        else:
            px, py = LEFT + x * (WIDTH - LEFT - RIGHT), HEIGHT - BOTTOM - y * (HEIGHT - TOP - BOTTOM)
        self.marks.append(f'<text x="{_n(px + dx)}" y="{_n(py + dy)}" text-anchor="{anchor}" font-size="{size}" '
                          f'fill="{color}">{escape(words)}</text>')

    def empty(self, message: str) -> None:
        self.text(0.5, 0.5, message, color=MUTED, size=10, data=False)

    def svg(self, xticks: Sequence[tuple[float, str]], xlabel: str, ylabel: str, legend_at: str = "top-left") -> str:
        """The chart: grid, then the marks, then axes, ticks, labels, title and legend on top.
        ``legend_at``: top-left, top-right or bottom-right, where the chart's marks seldom are."""
        left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
        grid, frame = [], []
        for value, words in xticks:
            x = _n(self.px(value))
            grid.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{GRID}" stroke-width="0.8"/>')
            frame.append(f'<line x1="{x}" y1="{bottom}" x2="{x}" y2="{bottom + 4}" stroke="{INK}"/>'
                         f'<text x="{x}" y="{bottom + 15}" text-anchor="middle" font-size="9" fill="{INK}">{escape(words)}</text>')
        for value in UNIT_TICKS:
            y = _n(self.py(value))
            grid.append(f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="{GRID}" stroke-width="0.8"/>')
            frame.append(f'<line x1="{left - 4}" y1="{y}" x2="{left}" y2="{y}" stroke="{INK}"/>'
                         f'<text x="{left - 7}" y="{y}" dy="3" text-anchor="end" font-size="9" fill="{INK}">{_n(value)}</text>')
        frame.append(f'<polyline points="{left},{top} {left},{bottom} {right},{bottom}" fill="none" stroke="{INK}"/>')
        frame.append(f'<text x="{(left + right) / 2}" y="{HEIGHT - 12}" text-anchor="middle" font-size="10" '
                     f'fill="{INK}">{escape(xlabel)}</text>')
        frame.append(f'<text transform="translate(16 {(top + bottom) / 2}) rotate(-90)" text-anchor="middle" '
                     f'font-size="10" fill="{INK}">{escape(ylabel)}</text>')
        frame.append(f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="12" fill="{INK}">{escape(self.title)}</text>')
        key_x = left + 10 if legend_at == "top-left" else right - 215
        key_y = top + 10 if legend_at.startswith("top") else bottom - 32 - 14 * (len(self.legend) - 1)
        for i, (swatch, words) in enumerate(self.legend):
            frame.append(f'<g transform="translate({key_x} {key_y + 14 * i})">{swatch}'
                         f'<text x="24" y="3" font-size="9" fill="{INK}">{escape(words)}</text></g>')
        label = escape(self.title)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
                f'height="{HEIGHT}" role="img" aria-label="{label}" class="chart" font-family="sans-serif">'
                f'<title>{label}</title><rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
                + "".join(grid) + "".join(self.marks) + "".join(frame) + "</svg>")


def _nice_ticks(low: float, high: float, most: int = 8) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) from ``low`` to ``high``."""
    raw = (high - low) / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


def calibration_chart(speaker: dict) -> str:
    """Observed share true in each 10 % bucket against the forecast, with the diagonal and counts."""
    from ledger.domain.scoring import wilson_interval

    chart = _Chart(f"Calibration: {speaker['speaker']}", (-0.02, 1.02))
    chart.line([0, 1], [0, 1], color=MUTED, width=1, dash="5 4", label="perfect calibration")
    filled = [b for b in speaker["calibration"] if b["n"]]
    if filled:
        most = max(b["n"] for b in filled)
        for b in filled:
            low, high = wilson_interval(b["observed"] * b["n"], b["n"])
            x = b["mean_probability"]
            chart.marks.append(f'<line x1="{_n(chart.px(x))}" y1="{_n(chart.py(low))}" x2="{_n(chart.px(x))}" '
                               f'y2="{_n(chart.py(high))}" stroke="{ACCENT}" stroke-opacity="0.35" stroke-width="3"/>')
            chart.dot(x, b["observed"], 3 + 5 * math.sqrt(b["n"] / most), label="share that came true (95% CI)")
            chart.text(x, b["observed"], f"n={b['n']}", dx=7, dy=12 if b["observed"] > 0.85 else -6, anchor="start")
    else:
        chart.empty("no scored claim with a probability")
    return chart.svg([(t, _n(t)) for t in UNIT_TICKS], "forecast probability (stated, or from hedge words)",
                     "share that came true")


def history_chart(speaker: dict) -> str:
    """Hit rate by the year deadlines fell in (with its 95 % interval) and the cumulative rate."""
    years = [y for y in speaker["by_year"] if y["scored"]]
    xs = [y["year"] for y in years]
    span = (xs[0] - 0.5, xs[-1] + 0.5) if len(xs) > 1 else ((xs[0] - 1, xs[0] + 1) if xs else (0, 1))
    chart = _Chart(f"Hit rate over time: {speaker['speaker']}", span)
    if years:
        if len(xs) > 1:
            chart.band(xs, [y["rate_ci"][0] for y in years], [y["rate_ci"][1] for y in years],
                       label="95% CI of the year's rate")
        chart.line(xs, [y["rate"] for y in years], label="hit rate that year")
        chart.line(xs, [y["cumulative_rate"] for y in years], color=INK, width=1.4, dash="5 4", label="cumulative hit rate")
        for y in years:
            chart.dot(y["year"], y["rate"], 3.5)
            chart.text(y["year"], y["rate"], f"n={y['scored']}", dy=-8)
        every = math.ceil(len(xs) / 10)  # at most ten labelled years
        ticks = [(x, str(x)) for x in xs[::every]]
    else:
        chart.empty("no scored claims yet")
        ticks = []
    return chart.svg(ticks, "year the deadline fell in", "hit rate", legend_at="top-right")


def lateness_chart(speaker: dict) -> str:
    """Kaplan–Meier curve: share of due claims not yet delivered against time taken / time promised."""
    late = speaker["lateness"]
    curve = late.get("curve") or []
    xs, ys = [0.0, *(t for t, _ in curve)], [1.0, *(s for _, s in curve)]
    edge = max([1.5, *xs]) * 1.1
    chart = _Chart(f"Lateness: {speaker['speaker']}", (0, edge))
    if late["n"]:
        chart.step([*xs, edge], [*ys, ys[-1]], label="not yet delivered (Kaplan–Meier)")
        chart.vline(1.0, color=INK, dash="5 4", label="the deadline")
        if late["median_ratio"] is not None:
            chart.vline(late["median_ratio"], color=MEDIAN, label=f"median: {ratio(late['median_ratio'])} the time promised")
        chart.text(0.02, 0.04, f"{late['delivered']} of {late['n']} delivered; the rest censored at the report date",
                   anchor="start", color=MUTED, data=False)
    else:
        chart.empty("no claim past its deadline")
    ticks = [(t, _n(t)) for t in _nice_ticks(0, edge)]
    return chart.svg(ticks, "time taken ÷ time promised", "share not yet delivered", legend_at="bottom-right")


def speaker_charts(speaker: dict) -> list[str]:
    """The three charts of a speaker's report section or page, in reading order."""
    return [calibration_chart(speaker), history_chart(speaker), lateness_chart(speaker)]
