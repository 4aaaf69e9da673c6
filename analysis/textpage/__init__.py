"""Parse plain-text dumps of news pages into title, dateline, source and body.

A *text dump* is what a naive scraper saves: every visible text block of the
page on its own line, the HTML ``<title>`` first, site chrome (menus, share
bars, cookie notices, sidebars, footers) mixed in with the article.  With no
markup left, the body is found from line-level evidence only.  A rule
reader in the spirit of jusText/boilerpipe classifies each line as prose,
chrome or undecided from its length, stopword density, punctuation and
shape, and picks the best-scoring contiguous run of lines (a max-sum
subarray); its verdicts are features, with the line's own and its
neighbours' measurements, of the trained line model of
:mod:`analysis.textlines`, which decides what is kept.  Lines that recur on
many pages of the same site (:func:`recurring_lines`) are chrome whatever
they look like.  The title is the headline printed above the body (the
``<title>`` without its site name when none is printed); datelines in any
language are found near it and read by :mod:`analysis.dates`.  When the
reader is unsure of the body, ``TextPage.low_confidence`` says why.

The reader's parts, in the order a page goes through them:

- :mod:`analysis.textpage.lines`: one line's key, class (prose, chrome,
  undecided, wall) and the site's recurring lines;
- :mod:`analysis.textpage.headline`: the ``<title>`` line, its printed
  copies and the article's headline;
- :mod:`analysis.textpage.body`: the rule reader's run, the line model's
  body, the source credit and the confidence;
- :mod:`analysis.textpage.dateline`: the lines that may date the page, most
  plausible first, and their date.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.config import DEFAULT_LANGUAGES
from analysis.linemodel import StackedLineModel, load_line_model
from analysis.textlines import page_language
from analysis.textpage.body import (
    _closing_credit,
    _copyright_holder,
    _cut_short_body,
    _drop_repeats,
    _far_from_headline,
    _find_source,
    _low_confidence,
    _model_body,
    _rule_reading,
    _scattered_body,
    _source_line,
    _unsure_body,
)
from analysis.textpage.body import _line_table as _line_table
from analysis.textpage.dateline import _date_candidates, _read_date
from analysis.textpage.headline import _headline, _layout
from analysis.textpage.headline import _Layout as _Layout
from analysis.textpage.lines import _nfc, recurring_lines
from analysis.textpage.lines import _norm as _norm

# Re-exported as themselves (``_x as _x``): the line model's trainer
# (scripts/train_line_model.py), the loaders and the tests read a dump as
# the reader does, through ``_layout``, ``_line_table``, ``_Layout`` and ``_norm``.
__all__ = ["TextPage", "parse_text_page", "recurring_lines"]


@dataclass(frozen=True)


class TextPage:
    """The parts of a news page recovered from its plain-text dump."""

    title: str | None
    published: datetime.datetime | None
    date_text: str | None
    source: str | None
    text: str
    #: Why the body may be wrong (kept almost the whole page, or little of
    #: its prose), or None when the reader is confident.
    low_confidence: str | None = None
    #: Why a dateline gave no date (a relative date without a crawl time).
    date_problem: str | None = None
    #: The page's language (py3langid), used for function words and dates.
    language: str | None = None


def parse_text_page(
    text: str,
    *,
    boilerplate: frozenset[str] = frozenset(),
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    crawled: datetime.datetime | None = None,
    model: StackedLineModel | None = None,
) -> TextPage:
    """Split a plain-text page dump into title, dateline, source and body.

    Parameters
    ----------
    text : str
        The dump: one visible text block per line, the ``<title>`` first.
    boilerplate : frozenset of str
        Chrome lines of the page's site, from :func:`recurring_lines`.
    languages : sequence of str
        Fallback languages for dates; the page's own language (py3langid)
        goes first.
    crawled : datetime.datetime, optional
        When the page was fetched: relative datelines ("vor 3 Stunden")
        are resolved against it. Without it they give no date and
        ``date_problem`` says why.
    model : StackedLineModel, optional
        The line model; default the one shipped in ``analysis/models``.

    Returns
    -------
    TextPage
        ``text`` holds the body paragraphs joined by blank lines ("" if none);
        ``low_confidence`` says why the body may be wrong, or is None.

    Examples
    --------
    >>> page = parse_text_page(
    ...     "Rain returns - Daily Bugle\\nHome\\nRain returns\\n13:31 | 22.09.2014\\n"
    ...     "Heavy rain is expected across the region from Monday, forecasters said.\\n"
    ...     "The weather office advised drivers to take care on the roads at night.\\n"
    ...     "Reuters\\nFollow us !\\nLatest"
    ... )
    >>> page.title, page.published, page.source
    ('Rain returns', datetime.datetime(2014, 9, 22, 13, 31), 'Reuters')
    >>> page.text.splitlines()[0]
    'Heavy rain is expected across the region from Monday, forecasters said.'
    """
    layout = _layout(text, boilerplate)
    if layout is None:  # nothing, or a binary file
        return TextPage(None, None, None, None, "")
    lines = layout.lines
    anchor = layout.repeats[0] if layout.repeats else None
    reading = _rule_reading(lines, layout.first, layout.chrome, anchor)
    language = page_language("\n".join(lines[i] for i in reading.idx))
    model = model or load_line_model()
    body, proba = _model_body(layout, reading, language, model)
    kept_proba = proba[np.isin(reading.idx, body)] if body else proba[:0]
    fallback = None
    if not body and any(reading.keep):
        # A fragment (a truncated download) is still an article; kept, and
        # said to be unsure, rather than dropped as if it were chrome.
        body = [i for i, k in zip(reading.idx, reading.keep, strict=True) if k]
        fallback = "the line model kept no line: the rule reader's body"
    body = _drop_repeats(lines, body)
    credit = _closing_credit(lines, body)
    if credit is not None:
        body = [i for i in body if i <= credit]
    end = body[-1] + 1 if body else len(lines)

    source = _find_source(lines, end, boilerplate) if body else None
    if body and _source_line(lines[body[-1]]):
        source = _source_line(lines[body.pop()])
    if body and source is None:
        source = _copyright_holder(lines[end:])
    title, head = _headline(layout, body[0] if body else None)
    if head is not None and head in body:
        body.remove(head)  # the printed headline, not a paragraph
    langs = tuple(dict.fromkeys([language, *languages] if language else languages))
    # The dateline sits by the headline's first appearance (a later copy
    # may head the body itself).
    # A headline found below the body's start (a teaser, a copy in the
    # footer) does not tell where the article's dateline is.
    heads = [i for i in (head, anchor) if i is not None and (not body or i <= body[0])]
    candidates = _date_candidates(lines, min(heads) if heads else None, layout.first, body, langs,
                                  head if head is not None and head in heads else None,
                                  dict(zip(reading.idx, reading.dateline.tolist(), strict=True)))
    date_text, published, date_problem = _read_date(lines, candidates, langs, crawled)
    return TextPage(
        title=_nfc(title),
        published=published,
        date_text=date_text,
        source=source,
        text=_nfc("\n\n".join(lines[i] for i in body)),
        low_confidence=(fallback or _low_confidence(lines, reading, proba, model.threshold_keep)
                        or _far_from_headline(lines, head, body)
                        or _scattered_body(reading, proba, model.threshold_keep)
                        or _unsure_body(kept_proba)
                        or _cut_short_body(lines, body)),
        date_problem=date_problem,
        language=language,
    )
