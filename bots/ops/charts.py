"""Charts as PNG bytes (matplotlib, Agg: no display, safe in a server thread), at 2x for high-density screens.

The chart specs (``bots.ops.reports``) carry money as integer minor units; here they become float plotting
coordinates in major units, and bar labels are worded from the integers (thousands separators, whole units).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # before pyplot: a server has no display

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from bots.ops.reports import DONE, FUTURE, PARTIAL, Chart, RankChart, TimeChart, whole_units
from domain.model.money import exponent

SCALE = 2  # device pixels per CSS pixel on a high-density screen: Slack shows the image at half its size
WIDTH, HEIGHT, DPI = 8.0, 4.5, 100  # 800 x 450 logical pixels
BLUE, BLUE_LIGHT, GHOST, ORDERS, FUTURE_BG, INK, MUTED = (
    "#2f6fdf",
    "#9dbcf3",
    "#d5d9e0",
    "#7a56c6",
    "#f3f4f6",
    "#1f2328",
    "#57606a",
)
THOUSANDS = FuncFormatter(lambda value, _pos: f"{value:,.0f}")


def _safe(text: str) -> str:
    """Text drawn as is: a ``$`` would start matplotlib's math mode (product names, currencies)."""
    return text.replace("$", r"\$")


def _major(amount: int, currency: str) -> float:
    return amount / float(10 ** exponent(currency))  # a plotting coordinate only; labels use the integer


def render_png(chart: Chart) -> bytes:
    if isinstance(chart, TimeChart):
        fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI * SCALE, layout="constrained")
        _time_chart(fig, chart)
    else:
        # Room for every bar's label, however many there are.
        fig = Figure(figsize=(WIDTH, max(2.6, 1.3 + 0.42 * len(chart.labels))), dpi=DPI * SCALE, layout="constrained")
        _rank_chart(fig, chart)
    drawn = io.BytesIO()
    fig.savefig(drawn, format="png", facecolor="white")
    # Flat colours and text: 64 colours look the same and make the file a third of the size.
    out = io.BytesIO()
    with Image.open(drawn) as image:
        image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def _titles(fig: Figure, ax: Axes, title: str, subtitle: str) -> None:
    fig.suptitle(_safe(title), x=0.01, ha="left", fontsize=13, fontweight="bold", color=INK)
    if subtitle:
        ax.set_title(_safe(subtitle), loc="left", fontsize=10, color=MUTED, pad=8)


def _plain(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=MUTED, labelsize=8)
    ax.grid(axis="y", color="#eceef1", linewidth=0.8)
    ax.set_axisbelow(True)


def _time_chart(fig: Figure, chart: TimeChart) -> None:
    grid = fig.add_gridspec(2, 1, height_ratios=(3, 1))
    ax = fig.add_subplot(grid[0])
    below = fig.add_subplot(grid[1], sharex=ax)
    _titles(fig, ax, chart.title, chart.subtitle)
    buckets = chart.buckets
    xs = list(range(len(buckets)))
    many = len(buckets) > 14
    cur = chart.currency
    revenue = [_major(b.revenue, cur) for b in buckets]
    ghost = [_major(b.previous, cur) for b in buckets]

    # Hours (or days) still to come: a shaded stretch, so an empty afternoon doesn't read as no sales.
    future = [i for i, b in enumerate(buckets) if b.state == FUTURE]
    for axis in (ax, below):
        _plain(axis)
        if future:
            axis.axvspan(future[0] - 0.5, future[-1] + 0.5, color=FUTURE_BG, zorder=0, linewidth=0)
    ax.bar(xs, ghost, width=0.86, color=GHOST, zorder=1, label=chart.previous_label)
    bars = ax.bar(
        xs,
        revenue,
        width=0.56,
        color=[BLUE if b.state == DONE else BLUE_LIGHT for b in buckets],
        edgecolor=[BLUE if b.state == PARTIAL else "none" for b in buckets],
        linewidth=0.8,
        zorder=2,
    )
    for bar, bucket in zip(bars, buckets, strict=True):
        if bucket.state == PARTIAL:
            bar.set_hatch("////")
    labels = [f"{whole_units(b.revenue, cur):,}" if b.revenue else "" for b in buckets]
    ax.bar_label(bars, labels=labels, padding=2, fontsize=7 if many else 8, color=INK, rotation=90 if many else 0)
    top = max([*revenue, *ghost, 0.0])
    ax.set_ylim(0, top * (1.25 if many else 1.15) or 1)
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.set_ylabel(cur, color=MUTED, fontsize=9)
    ax.tick_params(labelbottom=False)

    handles = [Patch(color=BLUE, label="sales"), Patch(color=GHOST, label=chart.previous_label)]
    partial = [b for b in buckets if b.state == PARTIAL]
    if partial:
        notes = sorted({b.note for b in partial if b.note})
        handles.append(Patch(facecolor=BLUE_LIGHT, edgecolor=BLUE, hatch="////", label=", ".join(notes) or "partial"))
    if future:
        handles.append(Patch(facecolor=FUTURE_BG, edgecolor=GHOST, label="still to come"))
    # Below the chart, where no bar or the "now" line can run through it.
    fig.legend(handles=handles, loc="outside lower center", fontsize=8, frameon=False, ncols=len(handles))
    if chart.now_at is not None:
        for axis in (ax, below):
            axis.axvline(chart.now_at, color=MUTED, linestyle=(0, (3, 3)), linewidth=0.9, zorder=3)
        ax.annotate("now", (chart.now_at, 0), xytext=(3, 2), textcoords="offset points", fontsize=8, color=MUTED)

    orders = [b.orders for b in buckets]
    counts = below.bar(
        xs,
        orders,
        width=0.56,
        color=[ORDERS if b.state == DONE else "#c3b3e6" for b in buckets],
        zorder=2,
    )
    below.bar_label(counts, labels=[f"{n:,}" if n else "" for n in orders], padding=1, fontsize=7, color=INK)
    below.set_ylim(0, max([*orders, 0]) * 1.5 or 1)
    below.yaxis.set_major_locator(MaxNLocator(nbins=2, integer=True))
    below.yaxis.set_major_formatter(THOUSANDS)
    below.set_ylabel("orders", color=MUTED, fontsize=9)
    ticks = [i for i, b in enumerate(buckets) if b.tick]
    below.set_xticks(ticks, [_safe(buckets[i].label) for i in ticks])
    below.set_xlim(-0.6, len(buckets) - 0.4)
    below.set_xlabel(chart.axis_label, color=MUTED, fontsize=9)


def _rank_chart(fig: Figure, chart: RankChart) -> None:
    ax = fig.add_subplot()
    _titles(fig, ax, chart.title, chart.subtitle)
    _plain(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#eceef1", linewidth=0.8)
    values = [_major(v, chart.currency) if chart.currency else float(v) for v in chart.values]
    ys = list(range(len(values)))[::-1]  # the biggest on top
    bars = ax.barh(ys, values, color=BLUE, height=0.62, zorder=2)
    ax.bar_label(bars, labels=[_safe(n) for n in chart.notes], padding=4, fontsize=8, color=INK)
    ax.set_yticks(ys, [_safe(label) for label in chart.labels], fontsize=9, color=INK)
    ax.set_xlim(0, max([*values, 0.0]) * 1.4 or 1)
    ax.xaxis.set_major_formatter(THOUSANDS)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.set_xlabel(chart.value_label, color=MUTED, fontsize=9)
