"""Drill-down state in the URL: a chart click writes the chosen mark to st.query_params,
the page reads its drill path from there, and a breadcrumb leads back."""

from __future__ import annotations

from typing import Any, Sequence

import streamlit as st


def selected(event: Any, selection: str, field: str) -> str | None:
    """The value of `field` in the mark chosen in the named selection of an
    on_select="rerun" chart event (ui.chart draws with st.vega_lite_chart, whose events have
    st.altair_chart's shape), or None when nothing is chosen."""
    if not event:
        return None
    chosen = event.get("selection", {}).get(selection) if isinstance(event, dict) else event.selection.get(selection)
    if not chosen:
        return None
    first = chosen[0] if isinstance(chosen, list) else chosen
    value = first.get(field) if isinstance(first, dict) else None
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def value(key: str) -> str | None:
    return st.query_params.get(key)


def push(key: str, chosen: str | None, deeper: Sequence[str] = ()) -> None:
    """Go one level down: set `key` and forget any deeper level chosen before."""
    if chosen is None or st.query_params.get(key) == chosen:
        return
    st.query_params[key] = chosen
    for other in deeper:
        if other in st.query_params:
            del st.query_params[other]
    st.rerun()


def clear(keys: Sequence[str]) -> None:
    for key in keys:
        if key in st.query_params:
            del st.query_params[key]


def breadcrumb(root: str, levels: Sequence[tuple[str, str]]) -> None:
    """`root › level › level` with a button back to each earlier level.
    levels: (query key, label) for the levels chosen so far, outermost first."""
    active = [(key, label) for key, label in levels if st.query_params.get(key) is not None]
    if not active:
        return
    keys = [key for key, _ in active]
    path = " › ".join([root] + [label for _, label in active])
    columns = st.columns([6] + [1.4] * len(active))
    columns[0].markdown(f"**Drill path:** {path}")
    if columns[1].button(f"⟵ {root}", key=f"drill_back_{root}"):
        clear(keys)
        st.rerun()
    for index, (key, label) in enumerate(active[:-1], start=2):
        if columns[index].button(f"⟵ {label}", key=f"drill_back_{key}"):
            clear(keys[index - 1 :])
            st.rerun()


def picker(label: str, options: list[str], drill_key: str, widget_key: str, help: str | None = None) -> None:
    """A selectbox that opens the same drill level as a chart click: it follows the URL
    (a click, the breadcrumb's way back) and writes the choice to it."""
    chosen = st.query_params.get(drill_key)
    st.session_state[widget_key] = chosen if chosen in options else None

    def picked() -> None:
        value = st.session_state[widget_key]
        if value is None:
            clear([drill_key])
        else:
            st.query_params[drill_key] = value

    st.selectbox(
        label,
        [None, *options],
        format_func=lambda value: "Choose a touchpoint…" if value is None else value,
        help=help,
        key=widget_key,
        on_change=picked,
    )
