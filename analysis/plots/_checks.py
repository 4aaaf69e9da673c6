"""Input checks that say what a chart expected and what it got."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import pandas as pd


def check_frame(frame, *, func: str, what: str, required: Sequence[str],
                name: str | None = None) -> None:
    """Raise unless ``frame`` is a DataFrame holding the ``required`` columns.

    ``what`` describes the expected frame ("the topics_ DataFrame (e.g.
    model.topics_)"); ``name`` is the keyword it came in by, when not the first
    argument.

    Examples
    --------
    >>> check_frame(pd.DataFrame({"a": [1]}), func="plot_x", what="a frame",
    ...             required=["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: plot_x expects a frame with columns a, b; missing: b (the frame has: a)
    """
    where = f"{func} {name}=" if name else func
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{where} expects {what}, got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        has = ", ".join(map(str, frame.columns)) or "no columns"
        raise ValueError(f"{where} expects {what} with columns {', '.join(required)}; "
                         f"missing: {', '.join(missing)} (the frame has: {has})")


def check_count(value, *, func: str, name: str, low: int = 1, high: int | None = None) -> None:
    """Raise unless ``value`` is an integer in ``low`` .. ``high``.

    Examples
    --------
    >>> check_count(0, func="plot_x", name="n")
    Traceback (most recent call last):
    ...
    ValueError: plot_x: n must be an integer of at least 1, got 0
    """
    span = f"from {low} to {high}" if high is not None else f"of at least {low}"
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{func}: {name} must be an integer {span}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{func}: {name} must be an integer {span}, got {value!r}")
