"""Server-made SVG charts for the reports (pygal), so they print in the PDF as they show on screen."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pygal
from pygal.style import Style

CHART_FONT = "'Noto Sans CJK JP', 'Noto Sans JP', sans-serif"

_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#888",
    colors=("#1f5f8b", "#c8553d", "#588157", "#8d6a9f"),
    font_family=CHART_FONT,
    label_font_family=CHART_FONT,
    major_label_font_family=CHART_FONT,
    title_font_family=CHART_FONT,
    legend_font_family=CHART_FONT,
    value_font_family=CHART_FONT,
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
)


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> str:
    """A bar chart per fiscal year as a standalone SVG document (no script: it is printed, not hovered)."""
    chart = pygal.Bar(
        style=_STYLE,
        width=720,
        height=300,
        title=title,
        x_label_rotation=0 if len(labels) <= 8 else 30,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        print_values=False,
        js=[],
        disable_xml_declaration=True,
        explicit_size=True,
    )
    chart.value_formatter = lambda value: f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return str(chart.render(is_unicode=True))


def data_uri(svg: str) -> str:
    """The SVG as an <img> source: WeasyPrint and browsers both draw it at the size it declares."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
