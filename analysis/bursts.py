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

from analysis.periods import period_grid
from analysis.trends import term_document_matrix

__all__ = ["burst_states", "detect_bursts"]

#: Burst costs (nats) are compared after rounding to this many decimals.
_COST_DECIMALS = 6


def burst_states(counts: np.ndarray, totals: np.ndarray, *, s: float = 2.0, gamma: float = 1.0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Return the most likely state (0 base, 1 burst) per period and term, and per-period gains.

    Parameters
    ----------
    counts : ndarray, periods × terms
        Articles mentioning each term per period.
    totals : ndarray, periods
        Articles per period (0 for a gap).

    Returns
    -------
    states : ndarray of int, periods × terms
    gain : ndarray, periods × terms
        How much cheaper the burst state is than the base state in each period.

    Examples
    --------
    >>> counts = np.array([[1], [1], [9], [10], [1], [1]])
    >>> states, _ = burst_states(counts, np.full(6, 100))
    >>> states[:, 0].tolist()
    [0, 0, 1, 1, 0, 0]
    """
    counts = np.asarray(counts, dtype=float)
    totals = np.asarray(totals, dtype=float)[:, None]
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


def detect_bursts(articles: pd.DataFrame, *, terms: Sequence[str] | None = None, freq: str = "W",
                  s: float = 2.0, gamma: float = 1.0, n_headlines: int = 5, top_n: int = 200,
                  languages: Sequence[str] = ("en", "ru", "tr", "az")) -> pd.DataFrame:
    """Return bursts of attention to terms, with the headlines that drive each.

    Returns
    -------
    DataFrame
        ``term``, ``start``, ``end`` (start of the last bursting period),
        ``peak`` (period with the highest share), ``weight`` (how much better
        the burst state explains the counts, summed over the burst),
        ``n_articles`` (articles mentioning the term during the burst) and
        ``headlines`` (up to ``n_headlines`` dicts of ``article_id`` and
        ``title``, earliest first).
    """
    grid = period_grid(articles["published"], freq=freq)
    presence, names = term_document_matrix(articles, terms=terms, top_n=top_n,
                                           languages=languages, binary=True)
    member = grid.membership()
    counts = np.asarray((member @ presence).todense())
    totals = np.asarray(member.sum(axis=1)).ravel()
    states, gain = burst_states(counts, totals, s=s, gamma=gamma)
    # A term in most articles is a corpus stopword: its "bursts" are noise.
    common = counts.sum(axis=0) > 0.5 * max(totals.sum(), 1)
    states[:, common] = 0
    # Staying in a burst costs nothing across a gap, but a burst is only
    # claimed where there were articles: gaps split bursts.
    states[totals == 0, :] = 0
    presence = presence.tocsc()
    order = np.argsort(articles["published"].to_numpy(), kind="stable")
    rows = []
    period_in_order = grid.index[order]
    for j, term in enumerate(names):
        runs = _runs(states[:, j])
        if not runs:
            continue
        mentioning = presence[:, j].toarray().ravel()[order] > 0
        for first, last in runs:
            # Exact ratios of counts: equal shares are equal floats, and the
            # earliest of equal peaks wins (argmax takes the first).
            share = counts[first:last + 1, j] / np.maximum(totals[first:last + 1], 1)
            in_burst = (period_in_order >= first) & (period_in_order <= last)
            picked = order[in_burst & mentioning]
            rows.append({
                "term": term, "start": grid.starts[first], "end": grid.starts[last],
                "peak": grid.starts[first + int(np.argmax(share))],
                "weight": round(float(gain[first:last + 1, j].sum()), 4),
                "n_articles": int(counts[first:last + 1, j].sum()),
                "headlines": [{"article_id": str(articles["article_id"].iat[i]),
                               "title": articles["title"].iat[i]}
                              for i in picked[:n_headlines]],
            })
    columns = ["term", "start", "end", "peak", "weight", "n_articles", "headlines"]
    frame = pd.DataFrame(rows, columns=columns)
    # weight is rounded, so its ties are real ties: broken by term, then time.
    return frame.sort_values(["weight", "term", "start"], ascending=[False, True, True],
                             kind="stable", ignore_index=True)
