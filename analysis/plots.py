"""Charts drawn from the tidy DataFrames of :mod:`analysis.trends`.

Each function takes a DataFrame, draws on ``ax`` (or a new figure), returns
the Figure and saves nothing: writing files is :mod:`analysis.report`'s job.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

__all__ = ["PALETTE", "plot_article_counts", "plot_rising_terms", "plot_source_topics",
           "plot_sources_languages", "plot_term_trends", "plot_topic_map", "plot_topic_shares",
           "plot_topic_sizes", "plot_topic_terms"]


def plot_article_counts(counts: pd.DataFrame, *, ax=None, title: str = "Articles per period"
                        ) -> Figure:
    """Return a stacked bar chart of ``counts`` (columns ``period``, ``group``, ``n``).

    Examples
    --------
    >>> counts = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                        "group": ["A", "A"], "n": [3, 0]})
    >>> fig = plot_article_counts(counts)
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['2024-01', '2024-02']
    """
    fig, ax = _axes(ax, (9, 3.6))
    wide = counts.pivot_table(index="period", columns="group", values="n", aggfunc="sum",
                              fill_value=0, sort=True)
    # Weekly or daily periods need the day, or neighbouring bars share a label.
    steps = pd.Series(wide.index).diff().dropna() if len(wide) > 1 else pd.Series(dtype=object)
    step_days = steps.median().days if len(steps) and hasattr(steps.median(), "days") else 31
    pattern = "%Y" if step_days >= 360 else "%Y-%m" if step_days >= 28 else "%Y-%m-%d"
    labels = [p.strftime(pattern) if hasattr(p, "strftime") else str(p) for p in wide.index]
    positions = np.arange(len(wide))
    bottom = np.zeros(len(wide))
    for i, group in enumerate(wide.columns):
        ax.bar(positions, wide[group].to_numpy(), bottom=bottom, label=_text(group), width=0.8,
               color=PALETTE[i % len(PALETTE)])
        bottom = bottom + wide[group].to_numpy()
    # Label at most ~16 periods: a decade of months would print an unreadable smear.
    step = max(1, -(-len(labels) // 16))
    ax.set_xticks(positions[::step], labels[::step], rotation=45, ha="right")
    _style(ax, title=title, ylabel="articles")
    if len(wide.columns) > 1:
        _legend(ax)
    return fig


# ---------------------------------------------------------------------------- shared style

#: Okabe & Ito's colour-blind-safe palette (black moved last: it is kept for text).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
RISING_COLOUR = "#0072B2"
FALLING_COLOUR = "#D55E00"
PARTIAL_COLOUR = "#999999"
TITLE_SIZE = 11
LABEL_SIZE = 9
TICK_SIZE = 8
NO_DATA = "no data"


def _text(value) -> str:
    """Return ``value`` as a label safe for matplotlib: no mathtext, not hidden from legends."""
    text = str(value).replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


def _axes(ax, figsize: tuple[float, float]):
    if ax is None:
        fig = Figure(figsize=figsize, layout="constrained")
        return fig, fig.add_subplot()
    return ax.get_figure(), ax


def _style(ax, *, title: str, xlabel: str = "", ylabel: str = "") -> None:
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.spines[["top", "right"]].set_visible(False)


def _no_data(ax, title: str) -> None:
    """Mark ``ax`` as empty: a centred note instead of a blank or broken chart."""
    _style(ax, title=title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, NO_DATA, transform=ax.transAxes, ha="center", va="center",
            fontsize=LABEL_SIZE, color="#555555")


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


def _legend(ax) -> None:
    ax.legend(fontsize=TICK_SIZE, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))


def _topic_name(topic_id, label) -> str:
    label = "" if label is None or (isinstance(label, float) and np.isnan(label)) else label
    return _text(f"#{topic_id} {label}".rstrip())


# ---------------------------------------------------------------------------- topics


def plot_topic_sizes(topics: pd.DataFrame, *, ax=None) -> Figure:
    """Return horizontal bars of topic sizes, largest on top, share of articles annotated.

    Parameters
    ----------
    topics : DataFrame
        ``TopicModel.topics_``: ``topic_id``, ``label``, ``size``, ``share``.
    ax : matplotlib Axes, optional
        Axes to draw on; a new constrained-layout Figure by default.

    Returns
    -------
    Figure

    Examples
    --------
    >>> topics = pd.DataFrame({"topic_id": [0, 1], "label": ["oil", "vote"],
    ...                        "size": [3, 7], "share": [0.3, 0.7]})
    >>> fig = plot_topic_sizes(topics)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['#1 vote', '#0 oil']
    """
    title = "Topic sizes (articles per topic)"
    fig, ax = _axes(ax, (8, max(2.5, 0.35 * len(topics) + 1.2)))
    if topics.empty:
        _no_data(ax, title)
        return fig
    table = topics.sort_values(["size", "topic_id"], ascending=[False, True])
    names = [_topic_name(i, lab) for i, lab in zip(table["topic_id"], table["label"],
                                                     strict=True)]
    positions = np.arange(len(table))
    bars = ax.barh(positions, table["size"].to_numpy(), color=PALETTE[0], height=0.7)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[f"{s:.1%}" for s in table["share"].astype(float)],
                 padding=3, fontsize=TICK_SIZE)
    ax.margins(x=0.12)
    _style(ax, title=title, xlabel="articles")
    return fig


def _as_terms(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def plot_topic_terms(topics: pd.DataFrame, *, n_terms: int = 8, max_topics: int = 12) -> Figure:
    """Return small multiples: each topic's first ``n_terms`` top terms, rank 1 longest.

    ``top_terms`` carries no weights, so bar length is ``n_terms - rank + 1``.

    Parameters
    ----------
    topics : DataFrame
        ``TopicModel.topics_``: ``topic_id``, ``label``, ``top_terms`` (a list per row).
    n_terms : int
        Terms shown per topic.
    max_topics : int
        Panels drawn at most (the first rows of ``topics``).

    Returns
    -------
    Figure

    Examples
    --------
    >>> topics = pd.DataFrame({"topic_id": [0, 1], "label": ["oil", "vote"],
    ...                        "top_terms": [["oil", "opec"], ["vote", "poll", "ballot"]]})
    >>> fig = plot_topic_terms(topics, n_terms=2)
    >>> len(fig.axes), [len(a.patches) for a in fig.axes]
    (2, [2, 2])
    """
    title = "Top terms per topic (bar length: rank, 1 = most distinctive)"
    table = topics.head(max(0, max_topics))
    if table.empty:
        fig = Figure(figsize=(6, 3), layout="constrained")
        _no_data(fig.add_subplot(), title)
        return fig
    ncols = min(3, len(table))
    nrows = -(-len(table) // ncols)
    fig = Figure(figsize=(3.3 * ncols, 0.28 * n_terms * nrows + 1.0 * nrows + 0.5),
                 layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for k, (panel, row) in enumerate(zip(axes, table.itertuples(index=False), strict=False)):
        terms = _as_terms(row.top_terms)[:n_terms]
        ranks = np.arange(1, len(terms) + 1)
        panel.barh(ranks, n_terms - ranks + 1, height=0.7, linewidth=0, **_topic_fill(k))
        panel.set_yticks(ranks, [_text(t) for t in terms])
        panel.set_ylim(n_terms + 0.5, 0.5)
        panel.set_xticks([])
        _style(panel, title=_topic_name(row.topic_id, row.label))
        panel.spines[["bottom"]].set_visible(False)
        if not terms:
            panel.text(0.5, 0.5, NO_DATA, transform=panel.transAxes, ha="center",
                       fontsize=TICK_SIZE)
    for extra in axes[len(table):]:
        fig.delaxes(extra)
    fig.suptitle(title, fontsize=TITLE_SIZE)
    return fig


def plot_topic_shares(topic_trends: pd.DataFrame, *, topics: pd.DataFrame | None = None,
                      ax=None) -> Figure:
    """Return a stacked area chart of each topic's share of articles per period.

    Periods without articles (``no_data``) are gaps, not zeros; periods only
    partly covered by the data (``partial_period``) are hatched.

    Parameters
    ----------
    topic_trends : DataFrame
        :func:`analysis.topic_trends`: ``period``, ``topic_id``, ``share``,
        ``partial_period``, ``no_data``.
    topics : DataFrame, optional
        ``TopicModel.topics_`` (``topic_id``, ``label``) to name the series.
    ax : matplotlib Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> trends = pd.DataFrame({
    ...     "period": pd.to_datetime(["2024-01-01"] * 2 + ["2024-01-08"] * 2, utc=True),
    ...     "topic_id": [0, 1, 0, 1], "share": [0.25, 0.75, 0.5, 0.5],
    ...     "partial_period": False, "no_data": False})
    >>> fig = plot_topic_shares(trends)
    >>> len(fig.axes[0].collections)
    2
    """
    title = "Topic shares of articles per period"
    fig, ax = _axes(ax, (9, 3.8))
    if topic_trends.empty:
        _no_data(ax, title)
        return fig
    frame = topic_trends.assign(share=topic_trends["share"].where(~topic_trends["no_data"]))
    wide = frame.pivot_table(index="period", columns="topic_id", values="share",
                             aggfunc="first", dropna=False, sort=True)
    wide = wide.reindex(sorted(frame["period"].unique()))
    partial = frame.groupby("period")["partial_period"].any().reindex(wide.index).to_numpy()
    starts = _wall_time(wide.index)
    labels = {}
    if topics is not None and not topics.empty:
        labels = dict(zip(topics["topic_id"], topics["label"], strict=False))
    values = wide.to_numpy(dtype=float) * 100
    # Cumulative sums keep NaN, so a period without data breaks every band.
    tops = np.cumsum(values, axis=1)
    bottoms = tops - values
    # Each period is a flat step from its start to its end: a period with gaps
    # on both sides still shows (a line through one point would draw nothing).
    xs = np.column_stack([starts.to_numpy(), _period_ends(starts).to_numpy()]).ravel()
    tops, bottoms = np.repeat(tops, 2, axis=0), np.repeat(bottoms, 2, axis=0)
    for k, topic_id in enumerate(wide.columns):
        # Past the palette, a hatch tells topic 8 from topic 0.
        ax.fill_between(xs, bottoms[:, k], tops[:, k], linewidth=0, alpha=0.9,
                        label=_topic_name(topic_id, labels.get(topic_id)), **_topic_fill(k))
    _shade_partial(ax, starts, partial)
    ax.set_ylim(0, max(100.0, float(np.nanmax(tops)) if np.isfinite(tops).any() else 100.0))
    _date_axis(ax)
    _style(ax, title=title, xlabel="period start", ylabel="share of articles (%)")
    _legend(ax)
    return fig


#: Marker shapes cycled once the palette runs out, so topic 8 is not topic 0 again.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<")


#: Hatches for bars and areas once the palette runs out (partial periods use grey "//").
TOPIC_HATCHES = (None, "..", "xx", "oo")


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


def _short_name(topic_id, label, width: int = 40) -> str:
    if isinstance(label, str):
        label = _shorten(label, width)
    return _topic_name(topic_id, label)


def _spread_labels(points: np.ndarray, gap: float = 0.05) -> np.ndarray:
    """Return ``points`` (scaled to 0..1) nudged upwards until no two are closer than ``gap``."""
    placed: list[np.ndarray] = []
    for point in points:
        point = point.copy()
        for _ in range(20):
            if all(np.hypot(*(point - other)) >= gap for other in placed):
                break
            point[1] += gap
        placed.append(point)
    return np.array(placed).reshape(-1, 2)


def plot_topic_map(points: pd.DataFrame, *, topics: pd.DataFrame | None = None, ax=None,
                   title: str = "Articles by topic (2-D map)") -> Figure:
    """Return a scatter map of articles coloured by topic, each topic's number at its centre.

    Topics are drawn largest first (so small ones stay visible on top) and
    coloured with the palette; past its eight colours the marker shape
    changes. Mixed articles (``is_mixed``) are hollow. The coordinates of a
    2-D projection have no units, so the axes carry no ticks.

    Parameters
    ----------
    points : DataFrame
        ``article_id``, ``x``, ``y``, ``topic_id`` and optionally ``is_mixed``;
        rows without coordinates are skipped.
    topics : DataFrame, optional
        ``TopicModel.topics_`` (``topic_id``, ``label``, ``size``): legend names,
        and topics ordered by ``size`` (by default by points on the map).
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    Figure

    Examples
    --------
    >>> points = pd.DataFrame({"article_id": ["a", "b", "c"], "x": [0.0, 1.0, 5.0],
    ...                        "y": [0.0, 1.0, 5.0], "topic_id": [1, 1, 0],
    ...                        "is_mixed": [False, True, False]})
    >>> fig = plot_topic_map(points)
    >>> [len(c.get_offsets()) for c in fig.axes[0].collections]
    [2, 1]
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "topic-label"]
    ['#1', '#0']
    """
    fig, ax = _axes(ax, (9, 6.5))
    frame = points.dropna(subset=["x", "y", "topic_id"])
    if frame.empty:
        _no_data(ax, title)
        return fig
    mixed = (frame["is_mixed"].fillna(False).astype(bool).to_numpy() if "is_mixed" in frame
             else np.zeros(len(frame), dtype=bool))
    frame = pd.DataFrame({"article_id": frame["article_id"].astype(str).to_numpy(),
                          "x": frame["x"].to_numpy(dtype=float),
                          "y": frame["y"].to_numpy(dtype=float),
                          "topic_id": frame["topic_id"].to_numpy(), "is_mixed": mixed})
    table = _topic_table(topics)
    order = _topic_order(frame["topic_id"].unique(), table, frame["topic_id"].value_counts())
    frame["rank"] = frame["topic_id"].map({t: k for k, t in enumerate(order)})
    frame = frame.sort_values(["rank", "article_id"], kind="stable")
    labels = dict(zip(table["topic_id"], table["label"], strict=True))
    size = float(np.clip(16000 / len(frame), 6, 40))
    handles, centres = [], []
    for k, topic_id in enumerate(order):
        group = frame[frame["rank"] == k]
        colour, marker = _topic_style(k)
        hollow = group["is_mixed"].to_numpy()
        solid = to_rgba(colour, 0.85)
        ax.scatter(group["x"], group["y"], s=size, marker=marker,
                   facecolors=[(1, 1, 1, 0) if h else solid for h in hollow],
                   edgecolors=[to_rgba(colour, 0.7) if h else (1, 1, 1, 0.6) for h in hollow],
                   linewidths=np.where(hollow, 0.8, 0.25), gid=f"topic-{topic_id}",
                   label=_short_name(topic_id, labels.get(topic_id)))
        handles.append(Line2D([], [], linestyle="", marker=marker, markersize=6, color=colour,
                              label=_short_name(topic_id, labels.get(topic_id))))
        centres.append((group["x"].median(), group["y"].median()))
    if frame["is_mixed"].any():
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=6,
                              markerfacecolor="none", markeredgecolor="#555555",
                              label="hollow: mixed article (no clear topic)"))
    _label_centres(ax, frame, order, np.array(centres))
    ax.set_xticks([])
    ax.set_yticks([])
    _style(ax, title=title, ylabel="map dimension 2",
           xlabel="map dimension 1 (the axes have no units: nearby points are similar articles)")
    ax.spines[["left", "bottom"]].set_color("#BBBBBB")
    ax.legend(handles=handles, fontsize=TICK_SIZE, frameon=False, loc="upper left",
              bbox_to_anchor=(1, 1), ncols=2 if len(handles) > 24 else 1)
    return fig


def _label_centres(ax, frame: pd.DataFrame, order: list, centres: np.ndarray) -> None:
    """Write each topic's number at its median point, nudged apart, with a white halo."""
    low = frame[["x", "y"]].min().to_numpy()
    span = np.maximum(frame[["x", "y"]].max().to_numpy() - low, 1e-12)
    spread = _spread_labels((centres - low) / span) * span + low
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    for topic_id, (x, y) in zip(order, spread, strict=True):
        # Just above the centre: a small topic's points would hide under its label.
        ax.annotate(f"#{topic_id}", (x, y), xytext=(0, 8), textcoords="offset points",
                    ha="center", va="bottom", fontsize=LABEL_SIZE, fontweight="bold",
                    color="#222222", path_effects=halo, gid="topic-label", zorder=5)


def plot_source_topics(mix: pd.DataFrame, *, topics: pd.DataFrame | None = None, ax=None,
                       max_sources: int = 15,
                       title: str = "Topics by source (share of each source's articles)"
                       ) -> Figure:
    """Return a heat map of the share of each source's articles in each topic.

    Rows are sources, most articles on top (the article count is in the row
    label); sources past ``max_sources`` are summed into one "other sources"
    row. Columns are topics, largest first when ``topics`` is given (else by
    id). Cells carry the percentage when the grid is at most 15 x 15.

    Parameters
    ----------
    mix : DataFrame
        ``source``, ``topic_id``, ``n`` (articles), ``share`` (of the source's
        articles, 0..1); a missing source is shown as "(unknown)".
    topics : DataFrame, optional
        ``TopicModel.topics_`` (``topic_id``, ``size``) to order the columns.
    ax : matplotlib Axes, optional
    max_sources : int
        Rows drawn at most before "other sources".
    title : str

    Returns
    -------
    Figure

    Examples
    --------
    >>> mix = pd.DataFrame({"source": ["a", "a", "b"], "topic_id": [0, 1, 1],
    ...                     "n": [3, 1, 2], "share": [0.75, 0.25, 1.0]})
    >>> fig = plot_source_topics(mix)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['a (4)', 'b (2)']
    >>> fig.axes[0].images[0].get_array().tolist()
    [[0.75, 0.25], [0.0, 1.0]]
    """
    if mix.empty:
        fig, ax = _axes(ax, (7, 3))
        _no_data(ax, title)
        return fig
    table = pd.DataFrame({"source": mix["source"].astype(object).to_numpy(),
                          "topic_id": mix["topic_id"].to_numpy(),
                          "n": mix["n"].to_numpy(dtype=float),
                          "share": mix["share"].to_numpy(dtype=float)})
    table["source"] = table["source"].where(table["source"].notna(), "(unknown)").astype(str)
    counts = table.pivot_table(index="source", columns="topic_id", values="n", aggfunc="sum",
                               fill_value=0.0)
    # n / share is the source's article count even when ``mix`` leaves some topics out.
    sums = table.groupby("source")[["n", "share"]].sum()
    totals = (sums["n"] / sums["share"].where(sums["share"] > 0)).fillna(sums["n"])
    totals = totals.reset_index(name="total").sort_values(["total", "source"],
                                                          ascending=[False, True])
    keep = totals.head(max(0, max_sources))
    rest = totals.iloc[len(keep):]
    grid = counts.loc[keep["source"]]
    row_totals = keep["total"].to_numpy(dtype=float)
    names = [f"{_text(_shorten(s, 40))} ({t:,.0f})" for s, t in zip(keep["source"], row_totals,
                                                                     strict=True)]
    if len(rest):
        other = counts.loc[rest["source"]].sum().rename("other sources").to_frame().T
        grid = pd.concat([grid, other])
        row_totals = np.append(row_totals, rest["total"].sum())
        names.append(f"other sources: {len(rest)} ({rest['total'].sum():,.0f})")
    columns = _topic_order(grid.columns, _topic_table(topics))
    grid = grid[columns]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(row_totals[:, None] > 0, grid.to_numpy() / row_totals[:, None], 0.0)
    nrows, ncols = shares.shape
    fig, ax = _axes(ax, (max(5.5, 0.55 * ncols + 4.0), max(2.5, 0.36 * nrows + 1.4)))
    top = max(float(shares.max()), 0.01)
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=top, aspect="auto",
                      interpolation="nearest")
    if len(rest):  # a white rule sets the summed row apart
        ax.axhline(nrows - 1.5, color="white", linewidth=3, gid="other-sources-rule")
    ax.set_xticks(np.arange(ncols), [f"#{t}" for t in columns])
    ax.set_yticks(np.arange(nrows), names)
    if nrows <= 15 and ncols <= 15:
        for (i, j), value in np.ndenumerate(shares):
            if grid.iat[i, j] > 0:
                text = "<1%" if value < 0.005 else f"{value:.0%}"
                ax.text(j, i, text, ha="center", va="center", fontsize=TICK_SIZE - 1,
                        color="white" if value > 0.55 * top else "#222222", gid="cell")
    colorbar = ax.get_figure().colorbar(image, ax=ax, format=PercentFormatter(1.0, decimals=0),
                                        shrink=0.9, pad=0.02)
    colorbar.set_label("share of the source's articles", fontsize=LABEL_SIZE)
    colorbar.ax.tick_params(labelsize=TICK_SIZE)
    colorbar.outline.set_visible(False)
    xlabel = "topic (largest first)" if topics is not None and not topics.empty else "topic"
    _style(ax, title=title, xlabel=xlabel, ylabel="source (articles)")
    ax.spines[:].set_visible(False)
    ax.tick_params(length=0)
    return fig


# ---------------------------------------------------------------------------- terms


def _term_table(term_trends: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (period, term): groups (a ``by`` column) summed, share recomputed."""
    table = term_trends.groupby(["period", "term"], sort=True, observed=True).agg(
        count=("count", "sum"), n_articles=("n_articles", "sum"),
        partial_period=("partial_period", "any")).reset_index()
    table["share"] = np.where(table["n_articles"] > 0,
                              table["count"] / table["n_articles"].clip(lower=1), np.nan)
    return table


def _shorten(text, width: int = 50) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def plot_term_trends(term_trends: pd.DataFrame, *, bursts: pd.DataFrame | None = None,
                     terms=None, max_terms: int = 8, ax=None) -> Figure:
    """Return lines of each term's share of articles (%) per period, bursts shaded.

    Periods without articles (``no_data``) break the lines. With ``bursts``,
    each burst of a shown term is shaded in the term's colour and its first
    headline is written at the peak.

    Parameters
    ----------
    term_trends : DataFrame
        :func:`analysis.term_trends`: ``period``, ``term``, ``count``,
        ``n_articles``, ``share``, ``partial_period``, ``no_data``.
    bursts : DataFrame, optional
        :func:`analysis.detect_bursts`: ``term``, ``start``, ``end``, ``peak``, ``headlines``.
    terms : sequence of str, optional
        Terms to draw; by default the ``max_terms`` mentioned in most articles.
    max_terms : int
        Lines drawn at most when ``terms`` is not given.
    ax : matplotlib Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> trends = pd.DataFrame({
    ...     "period": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"], utc=True),
    ...     "term": "oil", "count": [2, 0, 1], "n_articles": [2, 0, 4],
    ...     "share": [1.0, float("nan"), 0.25], "partial_period": False,
    ...     "no_data": [False, True, False]})
    >>> fig = plot_term_trends(trends)
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [100.0, nan, 25.0]
    """
    title = "Share of articles mentioning each term"
    fig, ax = _axes(ax, (9, 3.8))
    if term_trends.empty:
        _no_data(ax, title)
        return fig
    table = _term_table(term_trends)
    if terms is None:
        totals = table.groupby("term")["count"].sum()
        totals = totals.reset_index().sort_values(["count", "term"], ascending=[False, True])
        terms = totals["term"].head(max_terms).tolist()
    else:
        terms = [t for t in terms if t in set(table["term"])]
    wide = table.pivot(index="period", columns="term", values="share").reindex(columns=terms)
    partial = table.groupby("period")["partial_period"].any().reindex(wide.index).to_numpy()
    starts = _wall_time(wide.index)
    colours = {}
    for k, term in enumerate(terms):
        colours[term] = PALETTE[k % len(PALETTE)]
        ax.plot(starts, wide[term].to_numpy(dtype=float) * 100, color=colours[term],
                marker="o", markersize=3, linewidth=1.6, label=_text(term))
    _shade_partial(ax, starts, partial)
    peak = np.nanmax(wide.to_numpy(dtype=float) * 100, initial=0.0)
    top = max(float(peak), 1.0) * 1.15  # headroom for burst headlines
    if bursts is not None and not bursts.empty:
        _draw_bursts(ax, bursts[bursts["term"].isin(terms)], wide, starts, colours, top)
    ax.set_ylim(0, top)
    _date_axis(ax)
    _style(ax, title=title, xlabel="period start", ylabel="share of articles (%)")
    _legend(ax)
    return fig


def _draw_bursts(ax, bursts: pd.DataFrame, wide: pd.DataFrame, starts: pd.DatetimeIndex,
                 colours: dict, top: float) -> None:
    ends = pd.Series(_period_ends(starts), index=starts)
    for row in bursts.itertuples(index=False):
        start, end = (_wall_time([v])[0] for v in (row.start, row.end))
        span_end = ends.get(end, end + pd.Timedelta(days=1))
        ax.axvspan(start, span_end, color=colours[row.term], alpha=0.15, linewidth=0,
                   gid="burst")
    # One headline per term, at its strongest burst: more would pile up at a
    # busy week and hide each other.
    strongest = bursts.sort_values(["weight", "term"], ascending=[False, True], kind="stable")
    first, last = starts.min(), starts.max()
    width = max((last - first).total_seconds(), 1.0)
    placed: list[tuple[float, float]] = []
    for row in strongest.drop_duplicates("term").itertuples(index=False):
        headlines = row.headlines if row.headlines is not None else []
        peak = _wall_time([row.peak])[0]
        at = starts.get_indexer([peak])[0]
        y = float(wide[row.term].iloc[at]) * 100 if at >= 0 and len(headlines) else np.nan
        if not np.isfinite(y):
            continue
        x_frac, y_frac = (peak - first).total_seconds() / width, y / top
        # Near the right edge the text runs left, away from the legend.
        right = x_frac > 0.55
        lift = 6.0
        while any(abs(x_frac - px) < 0.3 and abs(y_frac + lift / 200 - py) < 0.06
                  for px, py in placed):
            lift -= 11.0
        placed.append((x_frac, y_frac + lift / 200))
        ax.annotate(_text(_shorten(headlines[0].get("title", ""))), (peak, y),
                    xytext=(-4 if right else 4, lift), textcoords="offset points",
                    ha="right" if right else "left", fontsize=TICK_SIZE - 1,
                    color="#333333", gid="burst-headline",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8,
                          "linewidth": 0},
                    arrowprops={"arrowstyle": "-", "color": "#777777", "linewidth": 0.6})


def plot_rising_terms(rising: pd.DataFrame, *, n: int = 10, ax=None) -> Figure:
    """Return diverging bars of the log2 share ratio for the top ``n`` rising and falling terms.

    Terms absent from the baseline (``is_new``) are hatched and marked "(new)".

    Parameters
    ----------
    rising : DataFrame
        :func:`analysis.rising_terms`: ``term``, ``g2``, ``log_ratio``,
        ``direction``, ``is_new``; the strongest (by ``g2``) of each direction are shown.
    n : int
        Terms shown per direction.
    ax : matplotlib Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> rising = pd.DataFrame({"term": ["oil", "rain", "vote"], "g2": [9.0, 5.0, 3.0],
    ...     "log_ratio": [2.0, -1.0, 0.5], "direction": ["rising", "falling", "rising"],
    ...     "is_new": [True, False, False]})
    >>> fig = plot_rising_terms(rising)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['oil (new)', 'vote', 'rain']
    """
    title = "Rising and falling terms (focus vs baseline)"
    if rising.empty:
        fig, ax = _axes(ax, (8, 3))
        _no_data(ax, title)
        return fig
    order = rising.sort_values(["g2", "term"], ascending=[False, True])
    picked = pd.concat([order[order["direction"] == "rising"].head(n),
                        order[order["direction"] != "rising"].head(n)])
    picked = picked.sort_values(["log_ratio", "term"], ascending=[False, True])
    fig, ax = _axes(ax, (8, max(2.5, 0.3 * len(picked) + 1.2)))
    positions = np.arange(len(picked))
    up = (picked["direction"] == "rising").to_numpy()
    new = picked["is_new"].fillna(False).astype(bool).to_numpy()
    bars = ax.barh(positions, picked["log_ratio"].to_numpy(dtype=float), height=0.7,
                   color=np.where(up, RISING_COLOUR, FALLING_COLOUR))
    for bar, is_new in zip(bars, new, strict=True):
        if is_new:
            bar.set_hatch("//")
            bar.set_edgecolor("white")
    names = [_text(t) + (" (new)" if is_new else "") for t, is_new
             in zip(picked["term"], new, strict=True)]
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", linewidth=0.8)
    handles = [Patch(color=RISING_COLOUR, label="rising"),
               Patch(color=FALLING_COLOUR, label="falling")]
    if new.any():
        handles.append(Patch(facecolor=RISING_COLOUR, edgecolor="white", hatch="//",
                             label="new (absent from baseline)"))
    ax.legend(handles=handles, fontsize=TICK_SIZE, frameon=False, loc="upper left",
              bbox_to_anchor=(1, 1))
    _style(ax, title=title, xlabel="log2 ratio of article shares (focus / baseline)")
    return fig


# ---------------------------------------------------------------------------- corpus


def plot_sources_languages(articles: pd.DataFrame, *, ax=None, max_languages: int = 6
                           ) -> Figure:
    """Return stacked horizontal bars of articles per source, split by language.

    Missing sources and languages are shown as "(unknown)"; the largest source is on top.
    Languages beyond the ``max_languages`` most common are summed as "other" (language
    detection gives stray codes to tables and tickers).

    Parameters
    ----------
    articles : DataFrame
        Articles with ``source`` and ``lang`` columns.
    ax : matplotlib Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> arts = pd.DataFrame({"source": ["a", "a", "b"], "lang": ["en", None, "en"]})
    >>> fig = plot_sources_languages(arts)
    >>> len(fig.axes[0].containers), [t.get_text() for t in fig.axes[0].get_yticklabels()]
    (2, ['a', 'b'])
    """
    title = "Articles per source, by language"
    table = articles[["source", "lang"]].astype(object)
    table = table.where(table.notna(), "(unknown)").astype(str)
    fig, ax = _axes(ax, (8, max(2.5, 0.35 * table["source"].nunique() + 1.2)))
    if table.empty:
        _no_data(ax, title)
        return fig
    common = table["lang"].value_counts().sort_index().sort_values(ascending=False,
                                                                   kind="stable").index
    if len(common) > max_languages:
        table = table.assign(lang=table["lang"].where(
            table["lang"].isin(common[: max_languages - 1]), "other"))
    counts = pd.crosstab(table["source"], table["lang"])
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    counts = counts[counts.sum(axis=0).sort_values(ascending=False, kind="stable").index]
    positions = np.arange(len(counts))
    left = np.zeros(len(counts))
    for k, lang in enumerate(counts.columns):
        values = counts[lang].to_numpy(dtype=float)
        ax.barh(positions, values, left=left, height=0.7, color=PALETTE[k % len(PALETTE)],
                label=_text(lang))
        left += values
    ax.set_yticks(positions, [_text(s) for s in counts.index])
    ax.invert_yaxis()
    _style(ax, title=title, xlabel="articles")
    _legend(ax)
    return fig
