"""Colours that mean the same thing on every page."""

from __future__ import annotations

import altair as alt

NPS_CLASSES = ["detractor", "passive", "promoter"]
NPS_CLASS_COLORS = ["#d64541", "#b8b8b8", "#2e8b57"]

CHANNELS = ["web", "app", "phone", "email", "chat", "store"]
CHANNEL_COLORS = ["#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]

SEGMENTS = ["Consumer", "SMB", "Mid-Market", "Enterprise"]
SEGMENT_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2"]

STAGES = ["awareness", "consideration", "purchase", "service", "loyalty"]
STAGE_LABELS = {stage: stage.capitalize() for stage in STAGES}

# diverging: red is bad, green is good, on every heatmap and emotion chart
GOOD_BAD_SCHEME = "redyellowgreen"
ACCENT = "#1f4e79"


def nps_class_scale() -> alt.Scale:
    return alt.Scale(domain=NPS_CLASSES, range=NPS_CLASS_COLORS)


def split_scale(split_by: str, values: list[str] | None = None) -> alt.Scale:
    """Channel and segment colours stay fixed; values we do not know get the next colours."""
    known = {"channel": (CHANNELS, CHANNEL_COLORS), "segment": (SEGMENTS, SEGMENT_COLORS)}.get(split_by)
    if known is None:
        return alt.Scale(scheme="tableau10")
    domain, colors = list(known[0]), list(known[1])
    extra = ["#e45756", "#72b7b2", "#eeca3b", "#ff9da6", "#9d755d", "#bab0ac"]
    for value in values or []:
        if value not in domain:
            domain.append(value)
            colors.append(extra[(len(domain) - len(known[0]) - 1) % len(extra)])
    return alt.Scale(domain=domain, range=colors)
