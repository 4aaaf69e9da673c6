"""The charts' shared look: palette, the "other" grey, text escaping, axes styling."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

#: Okabe & Ito's colour-blind-safe palette (black moved last: it is kept for text).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
#: What categories past a chart's limit are summed into: a grey no named category gets.
OTHER_COLOUR = "#BBBBBB"
#: Tick labels of "other" rows and columns.
OTHER_TEXT_COLOUR = "#666666"
RISING_COLOUR = "#0072B2"
FALLING_COLOUR = "#D55E00"
PARTIAL_COLOUR = "#999999"
TITLE_SIZE = 11
LABEL_SIZE = 9
TICK_SIZE = 8
NO_DATA = "no data"

#: Marker shapes cycled once the palette runs out, so topic 8 is not topic 0 again.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<")
#: Hatches for bars and areas once the palette runs out (partial periods use grey "//").
TOPIC_HATCHES = (None, "..", "xx", "oo")
#: Line styles cycled once the palette runs out.
LINESTYLES = ("-", "--", ":", "-.")


def _text(value) -> str:
    """Return ``value`` as a label safe for matplotlib: no mathtext, not hidden from legends."""
    text = str(value).replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


def _shorten(text, width: int = 50) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _style(ax, *, title: str, xlabel: str = "", ylabel: str = "") -> None:
    # Wrapped: constrained layout leaves a title's width out of its sums, so a
    # long one would run past the figure's edge and be cut off in the file.
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left", wrap=True)
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE, wrap=True)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE, wrap=True)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.spines[["top", "right"]].set_visible(False)


def _no_data(ax, title: str) -> None:
    """Mark ``ax`` as empty: a centred note instead of a blank or broken chart."""
    _style(ax, title=title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, NO_DATA, transform=ax.transAxes, ha="center", va="center",
            fontsize=LABEL_SIZE, color="#555555")


def _legend(ax, **kwargs) -> None:
    ax.legend(fontsize=TICK_SIZE, frameon=False, loc="upper left", bbox_to_anchor=(1, 1),
              **kwargs)


def _grey_ticks(labels, names: set[str]) -> None:
    """Colour the tick labels in ``names`` (the "other" rows or columns) grey."""
    for label in labels:
        if label.get_text() in names:
            label.set_color(OTHER_TEXT_COLOUR)


def _date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _wall_time(values) -> pd.DatetimeIndex:
    """Return period starts as naive wall-clock times (the date formatter would shift to UTC)."""
    index = pd.DatetimeIndex(pd.to_datetime(values))
    return index.tz_localize(None) if index.tz is not None else index


def _period_ends(starts: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Return where each period ends: the next start, the typical step for the last one."""
    if len(starts) == 0:
        return starts
    step = pd.Series(starts).diff().median() if len(starts) > 1 else pd.Timedelta(days=7)
    step = pd.Timedelta(days=7) if pd.isna(step) else step
    return pd.DatetimeIndex([*starts[1:], starts[-1] + step])


def _shade_partial(ax, starts: pd.DatetimeIndex, partial: np.ndarray) -> bool:
    """Hatch the periods only partly covered by the data; return whether any was."""
    ends = _period_ends(starts)
    shaded = False
    for start, end, flag in zip(starts, ends, partial, strict=True):
        if flag:
            ax.axvspan(start, end, facecolor="none", edgecolor=PARTIAL_COLOUR, hatch="//",
                       linewidth=0, alpha=0.6, gid="partial",
                       label="_partial" if shaded else "partial period")
            shaded = True
    return shaded


def _ranked(totals: pd.Series, limit: int) -> tuple[list, list]:
    """Return ``(kept, rest)``: the ``limit`` largest of ``totals`` (ties by name), the others.

    >>> _ranked(pd.Series({"b": 2, "a": 2, "c": 5, "d": 1}), 2)
    (['c', 'a'], ['b', 'd'])
    """
    order = sorted(totals.index, key=lambda name: (-float(totals[name]), str(name)))
    return order[:limit], order[limit:]


# ---------------------------------------------------------------------------- topics


def _topic_name(topic_id, label) -> str:
    label = "" if label is None or (isinstance(label, float) and np.isnan(label)) else label
    return _text(f"#{topic_id} {label}".rstrip())


def _short_name(topic_id, label, width: int = 40) -> str:
    if isinstance(label, str):
        label = _shorten(label, width)
    return _topic_name(topic_id, label)


def _other_topics(n: int) -> str:
    return f"other topics: {n}"


def _topic_fill(k: int) -> dict:
    """Return fill keywords for the ``k``-th topic: palette colour, then a dark hatch on top."""
    hatch = TOPIC_HATCHES[(k // len(PALETTE)) % len(TOPIC_HATCHES)]
    return {"color": PALETTE[k % len(PALETTE)], "hatch": hatch,
            "edgecolor": "#1d2327" if hatch else None}


def _topic_style(k: int) -> tuple[str, str]:
    """Return the (colour, marker) of the ``k``-th topic: palette first, then a new shape."""
    return PALETTE[k % len(PALETTE)], MARKERS[(k // len(PALETTE)) % len(MARKERS)]


def _topic_table(topics: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``topics`` as ``topic_id``, ``label``, ``size`` (missing columns empty)."""
    if topics is None or topics.empty:
        return pd.DataFrame({"topic_id": [], "label": [], "size": []})
    return pd.DataFrame({
        "topic_id": topics["topic_id"].to_numpy(),
        "label": topics["label"].to_numpy() if "label" in topics else None,
        "size": topics["size"].to_numpy(dtype=float) if "size" in topics else np.nan})


def _topic_order(present, table: pd.DataFrame, fallback: pd.Series | None = None) -> list:
    """Return the ids in ``present``: by ``size`` in ``table`` (largest first), then the rest.

    Ids missing from ``table`` follow, largest ``fallback`` first (``None``: by id).
    """
    present = set(present)
    known = table[table["topic_id"].isin(present)].drop_duplicates("topic_id")
    known = known.sort_values(["size", "topic_id"], ascending=[False, True], na_position="last")
    order = known["topic_id"].tolist()
    rest = sorted(present - set(order))
    if fallback is not None:
        counts = fallback.reindex(rest).fillna(0)
        rest = sorted(rest, key=lambda t: (-counts[t], t))
    return order + rest


def _as_terms(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]
