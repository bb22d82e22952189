"""A speaker's charts as inline SVG: calibration against the diagonal, hit rate by year, lateness.

matplotlib is imported inside the functions, so only a command that draws a chart pays for it;
the Agg backend keeps it from looking for a display. Text is drawn as paths, so the SVG needs no
font, and every chart gets its own id prefix, so several can share one HTML page.
"""

from __future__ import annotations

import io
import re

from ledger.escape import html as escape_html
from ledger.render.report import ratio

INK, ACCENT, MUTED, GRID = "#1f2933", "#1b6ac9", "#7b8794", "#e4e7eb"


def _figure(width: float = 5.2, height: float = 3.6):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _svg(fig, title: str, key: str) -> str:
    """The figure as an <svg> element with a <title>, ids made unique by ``key``."""
    import matplotlib

    fig.tight_layout()
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": key, "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    svg = re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.S)
    label = escape_html(title)
    svg = re.sub(r"<svg\b", f'<svg role="img" aria-label="{label}" class="chart"', svg, count=1)
    # Clip-path and glyph ids must not collide between the charts of one page.
    prefix = re.sub(r"\W", "_", key)
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}_\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}_\1)", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{prefix}_\1"', svg)
    head_end = svg.index(">") + 1
    return svg[:head_end] + f"<title>{escape_html(title)}</title>" + svg[head_end:]


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, transform=ax.transAxes)


def calibration_chart(speaker: dict, key: str) -> str:
    """Observed share true in each 10 % bucket against the forecast, with the diagonal and counts."""
    from ledger.domain.scoring import wilson_interval

    fig, ax = _figure()
    ax.plot([0, 1], [0, 1], linestyle="--", color=MUTED, linewidth=1, label="perfect calibration")
    filled = [b for b in speaker["calibration"] if b["n"]]
    for b in filled:
        low, high = wilson_interval(b["observed"] * b["n"], b["n"])
        ax.plot([b["mean_probability"]] * 2, [low, high], color=ACCENT, alpha=0.35, linewidth=3)
    if filled:
        xs = [b["mean_probability"] for b in filled]
        ys = [b["observed"] for b in filled]
        sizes = [30 + 170 * b["n"] / max(c["n"] for c in filled) for b in filled]
        ax.scatter(xs, ys, s=sizes, color=ACCENT, zorder=3, label="share that came true (95% CI)")
        for b in filled:
            ax.annotate(f"n={b['n']}", (b["mean_probability"], b["observed"]), textcoords="offset points",
                        xytext=(6, -12 if b["observed"] > 0.85 else 6), fontsize=8, color=INK)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    else:
        _empty(ax, "no scored claim with a probability")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("forecast probability (stated, or from hedge words)")
    ax.set_ylabel("share that came true")
    title = f"Calibration: {speaker['speaker']}"
    ax.set_title(title, fontsize=11, color=INK)
    return _svg(fig, title, f"{key}-calibration")


def history_chart(speaker: dict, key: str) -> str:
    """Hit rate by the year deadlines fell in (with its 95 % interval) and the cumulative rate."""
    fig, ax = _figure()
    years = [y for y in speaker["by_year"] if y["scored"]]
    if years:
        xs = [y["year"] for y in years]
        ax.fill_between(xs, [y["rate_ci"][0] for y in years], [y["rate_ci"][1] for y in years],
                        color=ACCENT, alpha=0.12, linewidth=0, label="95% CI of the year's rate")
        ax.plot(xs, [y["rate"] for y in years], marker="o", color=ACCENT, label="hit rate that year")
        ax.plot(xs, [y["cumulative_rate"] for y in years], linestyle="--", color=INK, label="cumulative hit rate")
        for y in years:
            ax.annotate(f"n={y['scored']}", (y["year"], y["rate"]), textcoords="offset points", xytext=(0, 7),
                        ha="center", fontsize=8, color=INK)
        ax.set_xticks(xs, [str(x) for x in xs])
        if len(xs) == 1:
            ax.set_xlim(xs[0] - 1, xs[0] + 1)
        ax.legend(loc="best", fontsize=8, frameon=False)
    else:
        _empty(ax, "no scored claims yet")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("year the deadline fell in")
    ax.set_ylabel("hit rate")
    title = f"Hit rate over time: {speaker['speaker']}"
    ax.set_title(title, fontsize=11, color=INK)
    return _svg(fig, title, f"{key}-history")


def lateness_chart(speaker: dict, key: str) -> str:
    """Kaplan–Meier curve: share of due claims not yet delivered against time taken / time promised."""
    fig, ax = _figure()
    late = speaker["lateness"]
    curve = late.get("curve") or []
    if late["n"]:
        xs, ys = [0.0], [1.0]
        for t, s in curve:
            xs.append(t)
            ys.append(s)
        edge = max([1.5, *xs]) * 1.1
        xs.append(edge)
        ys.append(ys[-1])
        ax.step(xs, ys, where="post", color=ACCENT, label="not yet delivered (Kaplan–Meier)")
        ax.axvline(1.0, color=INK, linestyle="--", linewidth=1, label="the deadline")
        if late["median_ratio"] is not None:
            ax.axvline(late["median_ratio"], color="#c65d21", linewidth=1,
                       label=f"median: {ratio(late['median_ratio'])} the time promised")
        ax.set_xlim(0, edge)
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.text(0.02, 0.04, f"{late['delivered']} of {late['n']} delivered; the rest censored at the report date",
                transform=ax.transAxes, fontsize=8, color=MUTED)
    else:
        _empty(ax, "no claim past its deadline")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("time taken ÷ time promised")
    ax.set_ylabel("share not yet delivered")
    title = f"Lateness: {speaker['speaker']}"
    ax.set_title(title, fontsize=11, color=INK)
    return _svg(fig, title, f"{key}-lateness")
