"""Charts as PNG bytes (matplotlib, Agg: no display, safe in a server thread)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # before pyplot: a server has no display

from matplotlib.figure import Figure

from bots.ops.reports import Chart


def render_png(chart: Chart) -> bytes:
    """Draw ``chart``; money is drawn in whole major units (a chart shows shape; the text has exact figures)."""
    values = [v // chart.minor_units for v in chart.values] if chart.minor_units else list(chart.values)
    # A Figure (not pyplot) keeps no global state, so concurrent renders in threads don't interfere.
    fig = Figure(figsize=(8, 4), dpi=100)
    ax = fig.add_subplot()
    labels = list(chart.labels) or ["(none)"]
    values = values or [0]
    if chart.kind == "barh":
        ax.barh(labels[::-1], values[::-1], color="#4a8df6")
        ax.set_xlabel(chart.value_label)
    else:
        ax.bar(labels, values, color="#4a8df6")
        ax.set_ylabel(chart.value_label)
        if len(labels) > 10:
            ax.tick_params(axis="x", labelrotation=60)
    ax.set_title(chart.title)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
