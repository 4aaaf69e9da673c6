"""Bursts of attention: Kleinberg's two-state model on counts out of totals per period.

A term is in the *burst* state when its share of articles in a period is
better explained by ``s`` times its corpus-wide odds than by its rate itself,
after paying ``gamma · ln(periods)`` to enter the state (Kleinberg 2002,
batched binomial form). Costs are binomial log-likelihoods, computed in log
space for every term at once, so a period with a million articles cannot
overflow, and periods without articles cost nothing in either state.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.index import TermIndex
from analysis.periods import check_freq, dated_published, period_grid
from analysis.trends import (
    STRING,
    _check_frame,
    _check_index,
    _check_int,
    _check_languages,
    _check_number,
    _check_terms,
    _dates,
    _grouped_term_counts,
    _typed,
)

__all__ = ["burst_states", "detect_bursts"]

#: Burst costs (nats) are compared after rounding to this many decimals.
_COST_DECIMALS = 6


def burst_states(counts: np.ndarray, totals: np.ndarray, *, s: float = 2.0, gamma: float = 1.0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Return the most likely state (0 base, 1 burst) per period and term, and per-period gains.

    Parameters
    ----------
    counts : array-like, periods × terms
        Articles mentioning each term per period (a 1-D array is one term).
    totals : array-like, periods
        Articles per period (0 for a gap); no count may exceed its total.
    s : float
        How many times its usual odds a term has in the burst state (> 1).
    gamma : float
        Cost of entering the burst state, in units of ln(periods with
        articles) (≥ 0); higher means fewer, stronger bursts.

    Returns
    -------
    states : ndarray of int, periods × terms
        0 base state, 1 burst (1-D when ``counts`` is).
    gain : ndarray of float, periods × terms
        How much cheaper the burst state is than the base state in each period.

    Examples
    --------
    >>> counts = np.array([[1], [1], [9], [10], [1], [1]])
    >>> states, _ = burst_states(counts, np.full(6, 100))
    >>> states[:, 0].tolist()
    [0, 0, 1, 1, 0, 0]
    """
    counts, totals, one_term = _checked_counts(counts, totals)
    s = _check_number(s, "s", "burst_states", above=1)
    gamma = _check_number(gamma, "gamma", "burst_states", at_least=0)
    states, gain = _burst_states(counts, totals[:, None], s=s, gamma=gamma)
    return (states[:, 0], gain[:, 0]) if one_term else (states, gain)


def _checked_counts(counts, totals) -> tuple[np.ndarray, np.ndarray, bool]:
    caller = "burst_states"
    try:
        counts = np.asarray(counts, dtype=float)
        totals = np.asarray(totals, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{caller}: counts and totals must be numeric arrays") from None
    one_term = counts.ndim == 1
    if one_term:
        counts = counts[:, None]
    if counts.ndim != 2 or totals.ndim != 1:
        raise ValueError(f"{caller}: counts must be periods × terms and totals one value per "
                         f"period; got shapes {counts.shape} and {totals.shape}")
    if counts.shape[0] != totals.shape[0]:
        raise ValueError(f"{caller}: counts has {counts.shape[0]} periods but totals has "
                         f"{totals.shape[0]}")
    if not (np.isfinite(counts).all() and np.isfinite(totals).all()):
        raise ValueError(f"{caller}: counts and totals must be finite (no NaN)")
    if (counts < 0).any() or (totals < 0).any():
        raise ValueError(f"{caller}: counts and totals must not be negative")
    if (counts > totals[:, None]).any():
        raise ValueError(f"{caller}: a count exceeds its period's total (articles mentioning "
                         "a term are among the period's articles)")
    return counts, totals, one_term


def _burst_states(counts: np.ndarray, totals: np.ndarray, *, s: float, gamma: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    n_periods = counts.shape[0]
    rate = counts.sum(axis=0) / max(totals.sum(), 1.0)
    p0 = np.clip(rate, 1e-12, 1 - 1e-12)
    # s times the odds, not s times the rate: stays a probability for common
    # terms and equals s·p for rare ones.
    p1 = np.clip(s * p0 / (1 + (s - 1) * p0), 1e-12, 1 - 1e-12)
    misses = totals - counts

    def cost(p):
        return -(counts * np.log(p) + misses * np.log1p(-p))

    exact0, exact1 = cost(p0), cost(p1)
    # The states are decided on costs rounded to a millionth of a nat: the
    # logarithms' last bits depend on the CPU's math kernel, and a state must
    # not. The Viterbi below then adds the same numbers in the same order on
    # every machine; an exact tie keeps the current state (strict ``<``),
    # and the last period prefers the base state. (The gain is reported
    # unrounded; weights are rounded where they are summed.)
    c0, c1 = np.round(exact0, _COST_DECIMALS), np.round(exact1, _COST_DECIMALS)
    # Kleinberg's entry cost grows with the number of batches; a gap is no batch.
    enter = round(gamma * float(np.log(max(int(np.count_nonzero(totals)), 2))), _COST_DECIMALS)
    # Viterbi over periods, vectorised over terms.
    best0, best1 = c0[0].copy(), c1[0] + enter
    from1 = np.zeros(counts.shape, dtype=bool)  # state 0 at t reached from state 1
    from0 = np.zeros(counts.shape, dtype=bool)  # state 1 at t reached from state 0
    for t in range(1, n_periods):
        stay0, drop = best0, best1
        rise, stay1 = best0 + enter, best1
        from1[t] = drop < stay0
        from0[t] = rise < stay1
        best0 = np.minimum(stay0, drop) + c0[t]
        best1 = np.minimum(rise, stay1) + c1[t]
    states = np.zeros(counts.shape, dtype=int)
    state = (best1 < best0).astype(int)
    for t in range(n_periods - 1, -1, -1):
        states[t] = state
        if t:
            state = np.where(state == 1, np.where(from0[t], 0, 1), np.where(from1[t], 1, 0))
    return states, exact0 - exact1


def _runs(states: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], states, [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True))


def detect_bursts(articles: pd.DataFrame, *, terms: Sequence[str] | str | None = None,
                  freq: str = "W", s: float = 2.0, gamma: float = 1.0, n_headlines: int = 5,
                  top_n: int = 200, languages: Sequence[str] | str = ("en", "ru", "tr", "az"),
                  index: TermIndex | None = None) -> pd.DataFrame:
    """Return bursts of attention to terms, with the headlines that drive each.

    Terms are counted as :func:`analysis.term_trends` counts them (articles
    mentioning the term, title and text) on the same period grid, and each
    term's periods are labelled by :func:`burst_states`. A term in more than
    half of all articles never bursts, and a gap (period without articles)
    ends a burst.

    Parameters
    ----------
    articles : DataFrame
        As returned by :func:`analysis.load_articles`; needs ``published``,
        ``article_id`` and ``title`` and/or ``text``. Undated articles are
        left out with an :class:`~analysis.periods.UndatedArticlesWarning`.
    terms : str, list of str or None
        Words, phrases or ``*`` patterns; a single string is one term.
        ``None``: the ``top_n`` uni- and bigrams in most articles.
    freq : str
        ``"D"``, ``"W"`` (weeks from Monday), ``"M"``, ``"Q"``, ``"Y"``
        (or ``"MS"``, ``"QS"``, ``"YS"``).
    s : float
        Burst odds as a multiple of the term's usual odds (> 1).
    gamma : float
        Cost of entering a burst, in units of ln(periods) (≥ 0).
    n_headlines : int
        Headlines kept per burst (≥ 0).
    top_n : int
        Number of terms when ``terms`` is None (positive).
    languages : str or list of str
        Stopword lists for ``terms=None``.
    index : TermIndex or None
        A :class:`~analysis.index.TermIndex` of exactly these articles, from
        :func:`~analysis.index.build_index`; saves tokenising again (the
        result is the same). ``None``: the texts are tokenised here.

    Returns
    -------
    DataFrame
        One row per burst, strongest first:

        - ``term`` (``string``)
        - ``start`` (``datetime64[ns, tz]``): start of the first bursting period
        - ``end`` (``datetime64[ns, tz]``): start of the last bursting period
        - ``peak`` (``datetime64[ns, tz]``): start of the period with the highest share
        - ``weight`` (``float64``): how much better the burst state explains
          the counts, summed over the burst
        - ``n_articles`` (``int64``): articles mentioning the term during the burst
        - ``headlines`` (``object``): up to ``n_headlines`` dicts of
          ``article_id`` and ``title``, earliest first

        Empty, with these columns, when no article has a date or nothing bursts.

    Examples
    --------
    >>> days = pd.date_range("2024-01-01", periods=8 * 7, freq="D", tz="UTC")
    >>> arts = pd.DataFrame({"article_id": [str(i) for i in range(len(days))],
    ...     "title": ["Flood warning" if 21 <= i < 28 else "Calm day" for i in range(len(days))],
    ...     "text": "", "published": days})
    >>> bursts = detect_bursts(arts, terms="flood", freq="W")
    >>> bursts[["term", "start", "end", "n_articles"]].values.tolist()
    [['flood', Timestamp('2024-01-22 00:00:00+0000', tz='UTC'), \
Timestamp('2024-01-22 00:00:00+0000', tz='UTC'), 7]]
    >>> bursts["headlines"].iat[0][0]
    {'article_id': '21', 'title': 'Flood warning'}
    """
    caller = "detect_bursts"
    _check_frame(articles, caller, columns=("published", "article_id"), text=True)
    terms = _check_terms(terms, caller)
    check_freq(freq, caller=caller)
    s = _check_number(s, "s", caller, above=1)
    gamma = _check_number(gamma, "gamma", caller, at_least=0)
    n_headlines = _check_int(n_headlines, "n_headlines", caller, minimum=0)
    top_n = _check_int(top_n, "top_n", caller, minimum=1)
    languages = _check_languages(languages, caller)
    index = _check_index(index, articles, caller)
    published = dated_published(articles["published"], caller=caller)
    dates = _dates(published.dt.tz)
    dtypes = {"term": STRING, "start": dates, "end": dates, "peak": dates, "weight": "float64",
              "n_articles": "int64", "headlines": object}
    if not published.notna().any():
        return _typed(None, dtypes)
    grid = period_grid(published, freq=freq)
    member = grid.membership()
    # Period sums made on the distinct texts (on a cluster where the counts
    # are): an article × term matrix would be 500 MiB at a million articles.
    grouped = _grouped_term_counts(articles, member, terms=terms, top_n=top_n,
                                   languages=languages, index=index, mentions=False)
    counts = grouped.articles.astype(np.float64)
    totals = np.asarray(member.sum(axis=1)).ravel()
    states, gain = _burst_states(counts, totals[:, None], s=s, gamma=gamma)
    # A term in most articles is a corpus stopword: its "bursts" are noise.
    common = counts.sum(axis=0) > 0.5 * max(totals.sum(), 1)
    states[:, common] = 0
    # Staying in a burst costs nothing across a gap, but a burst is only
    # claimed where there were articles: gaps split bursts.
    states[totals == 0, :] = 0
    runs = {j: found for j in range(len(grouped.names)) if (found := _runs(states[:, j]))}
    if not runs:
        return _typed(None, dtypes)
    # Only the bursting terms' texts are looked at for headlines.
    having = grouped.texts_having(list(runs)).tocsc()
    # As UTC instants: NaT sorts last (as objects, NaT would break the order).
    order = np.argsort(published.to_numpy(dtype="datetime64[ns]"), kind="stable")
    ids = articles["article_id"].astype(STRING)
    titles = articles["title"].astype(STRING) if "title" in articles.columns else None
    rows = []
    period_in_order = grid.index[order]
    for k, (j, term_runs) in enumerate(runs.items()):
        mentioning = having[:, k].toarray().ravel()[grouped.codes][order] > 0
        for first, last in term_runs:
            # Exact ratios of counts: equal shares are equal floats, and the
            # earliest of equal peaks wins (argmax takes the first).
            share = counts[first:last + 1, j] / np.maximum(totals[first:last + 1], 1)
            in_burst = (period_in_order >= first) & (period_in_order <= last)
            picked = order[in_burst & mentioning][:n_headlines]
            shown = ids.iloc[picked].to_numpy(dtype=object, na_value=None)
            named = (titles.iloc[picked].to_numpy(dtype=object, na_value=None)
                     if titles is not None else [None] * len(picked))
            rows.append({
                "term": grouped.names[j], "start": grid.starts[first], "end": grid.starts[last],
                "peak": grid.starts[first + int(np.argmax(share))],
                "weight": round(float(gain[first:last + 1, j].sum()), 4),
                "n_articles": int(counts[first:last + 1, j].sum()),
                "headlines": [{"article_id": i, "title": t}
                              for i, t in zip(shown, named, strict=True)],
            })
    if not rows:
        return _typed(None, dtypes)
    frame = _typed(pd.DataFrame(rows, columns=list(dtypes)), dtypes)
    # weight is rounded, so its ties are real ties: broken by term, then time.
    return frame.sort_values(["weight", "term", "start"], ascending=[False, True, True],
                             kind="stable", ignore_index=True)
