"""Bar charts drawn on the server as SVG geometry (no script): the template only places what is here.

Each chart is read by a screen reader as one image (`role="img"` with its <title> and <desc>) and
comes with a table of the same numbers; the geometry below is presentation only.
"""

from __future__ import annotations

WIDTH = 640  # viewBox units; the SVG scales to the page (width 100%)
ROW = 30
LABEL = 190  # room for a label left of the bars
NUMBER = 70  # room for the count right of the longest bar
MAX_BARS = 15  # past this many values, the smallest are summed into one bar (the table lists all)
LABEL_CHARS = 13

COLOURS = {"public": "#14632d", "partial": "#7a4b00", "withheld": "#9b1c1c"}  # static/style.css's levels
BAR = "#0b4f8a"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bars(items: list[tuple[str, int]], others: str | None = None) -> dict:
    """A horizontal bar chart of (label, count); past MAX_BARS the rest becomes one bar labelled `others`."""
    items = list(items)
    if len(items) > MAX_BARS and others is not None:
        items = items[: MAX_BARS - 1] + [(others, sum(n for _, n in items[MAX_BARS - 1:]))]
    top = max((n for _, n in items), default=0) or 1
    room = WIDTH - LABEL - NUMBER
    drawn = []
    for i, (label, n) in enumerate(items):
        width = room * n / top
        drawn.append({"label": _short(label), "full": label, "count": n, "y": i * ROW + 4,
                      "width": round(max(width, 1 if n else 0), 1), "text_x": round(LABEL + width + 6, 1),
                      "text_y": i * ROW + 4 + (ROW - 10) / 2})
    return {"width": WIDTH, "height": max(len(items), 1) * ROW + 8, "label_x": LABEL - 8, "bar_x": LABEL,
            "bar_height": ROW - 10, "bars": drawn, "colour": BAR}


def stacked(parts: list[dict]) -> dict:
    """One bar of 100 % split by disclosure level (parts: level, count, share), with a legend under it."""
    x, segments = 0.0, []
    for part in parts:
        width = WIDTH * part["share"] / 100
        segments.append({**part, "x": round(x, 1), "width": round(width, 1), "colour": COLOURS[part["level"]]})
        x += width
    legend = [{**part, "x": i * (WIDTH / 3), "colour": COLOURS[part["level"]]} for i, part in enumerate(parts)]
    return {"width": WIDTH, "height": 90, "segments": segments, "legend": legend}
