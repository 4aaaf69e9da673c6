"""Token-level precision/recall/F1 for article-body extraction.

Tokens are ``re.findall(r"\\w+", s.lower())`` treated as multisets, the
same tokenisation the shared corpus README uses for its reference numbers.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from collections.abc import Iterable

_TOKEN = re.compile(r"\w+")


def tokens(s: str) -> Counter[str]:
    """Return the multiset of lower-cased word tokens of *s*.

    Examples
    --------
    >>> sorted(tokens("The cat, the HAT").items())
    [('cat', 1), ('hat', 1), ('the', 2)]
    """
    return Counter(_TOKEN.findall(s.lower()))


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    """Return token precision, recall and F1 of *pred* against *gold*.

    Both empty counts as a perfect match; exactly one empty scores zero.

    Examples
    --------
    >>> prf("a b c", "a b d")
    (0.6666666666666666, 0.6666666666666666, 0.6666666666666666)
    >>> prf("", "")
    (1.0, 1.0, 1.0)
    """
    p, g = tokens(pred), tokens(gold)
    np_, ng = sum(p.values()), sum(g.values())
    if np_ == 0 and ng == 0:
        return 1.0, 1.0, 1.0
    if np_ == 0 or ng == 0:
        return 0.0, 0.0, 0.0
    overlap = sum((p & g).values())
    if overlap == 0:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / np_, overlap / ng
    return precision, recall, 2 * precision * recall / (precision + recall)


def macro_prf(pairs: Iterable[tuple[str, str]]) -> tuple[float, float, float]:
    """Return macro-averaged (P, R, F1) over ``(pred, gold)`` pairs.

    Examples
    --------
    >>> macro_prf([("a", "a"), ("", "b")])
    (0.5, 0.5, 0.5)
    """
    scores = [prf(pred, gold) for pred, gold in pairs]
    if not scores:
        return 0.0, 0.0, 0.0
    n = len(scores)
    return tuple(sum(s[i] for s in scores) / n for i in range(3))  # type: ignore[return-value]


def snippet_scorer(data):
    """Return ``score`` of the shared ``tools/extraction/snippet_score.py`` beside ``data``.

    Imported from the shared tools folder, never copied into the repository.
    """
    path = data.parent / "tools" / "extraction" / "snippet_score.py"
    spec = importlib.util.spec_from_file_location("snippet_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score
