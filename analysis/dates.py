"""Parse publication dates: datelines in several languages, export values, plausibility checks.

:func:`parse_date_text` reads the date of a dateline as a page prints it
("13:31 | 22.09.2014", "22 сентября 2014", "22 Mart 2024");
:func:`looks_like_dateline` tells whether a line of a text dump is one; and
:func:`coerce_published` turns the published value of any input format into
a timestamp in the analysis time zone, or ``None`` and the reason why;
:func:`machine_time_kind` tells a machine timestamp (Unix time, ISO 8601
with an offset) from a display string, so an export's machine time can win.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import re
from collections.abc import Sequence

import dateparser
import numpy as np
import pandas as pd

from analysis.config import DEFAULT_LANGUAGES

__all__ = ["coerce_published", "date_languages", "future_problems", "is_relative_dateline",
           "latest_plausible", "looks_like_dateline", "machine_time_kind", "parse_date_text",
           "relative_date_problem", "word_count"]

_TIME = re.compile(
    r"(?<![\d.:])\d{1,2}(?:[:.]|h(?=\d))\d{2}(?::\d{2})?(?![\d.:])(?:\s*[ap]\.?m\b\.?)?", re.I)
_TZ = re.compile(
    r"(?<![\w-])(?:[+-]\d{2}:?\d{2}\b|(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|"
    r"[ECMP][SD]T|BST|CEST|CET|MSK)(?!\w)"
)
_DATE_SETTINGS = {"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"}

# Same word count as the text-page line features (two CJK characters count
# as one word), repeated here so this module does not depend on textpage.
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

# Earliest and latest publication dates taken at face value; outside them a
# parsed date is a scraping artefact (a "0001-01-01" default, a year typo).
_EARLIEST = pd.Timestamp("1800-01-01", tz="UTC")
_LATEST_AHEAD = pd.Timedelta(days=2)
_FAR_FUTURE_YEAR = 2200  # beyond any "in the future" check, still inside pandas' ns range


def parse_date_text(
    s: str, *, languages: Sequence[str] = DEFAULT_LANGUAGES,
    relative_base: dt.datetime | None = None, day_first: bool = False,
) -> dt.datetime | None:
    """Parse the date (and time, and offset if printed) of a dateline.

    Month names of every language dateparser knows are read ("19. Oktober
    2019", "4 de mayo de 2022", "26 października 2023"); *languages*
    decides only what is ambiguous: a word that names different months in
    different languages (Polish "listopad" is November, Croatian October)
    and the order of a numeric date with slashes (``en``: month first).
    Dotted numeric dates are day first everywhere.

    Parameters
    ----------
    s : str
        A short dateline such as ``"13:31 | 22.09.2014"``.
    languages : sequence of str
        The page's language(s), most likely first.
    relative_base : datetime.datetime, optional
        The crawl time: a relative date ("vor 3 Stunden", "yesterday") is
        resolved against it. Without it a relative date gives ``None``
        (:func:`relative_date_problem` says why).
    day_first : bool
        Read every numeric date day first, whatever the language: a date
        cell of an export has no page language to go by.

    Returns
    -------
    datetime.datetime or None
        Naive wall-clock time, or aware when the line carries a zone or
        offset; ``None`` when no valid date is found.

    Examples
    --------
    >>> parse_date_text("13:31 | 22.09.2014")
    datetime.datetime(2014, 9, 22, 13, 31)
    >>> parse_date_text("22 сентября 2014")
    datetime.datetime(2014, 9, 22, 0, 0)
    >>> parse_date_text("Veröffentlicht am 19. Oktober 2019, 19:08 Uhr", languages=["de"])
    datetime.datetime(2019, 10, 19, 19, 8)
    >>> [parse_date_text("10/09/2019", languages=[lang]) for lang in ("en", "fr")]
    [datetime.datetime(2019, 10, 9, 0, 0), datetime.datetime(2019, 9, 10, 0, 0)]
    >>> parse_date_text("vor 3 Stunden", languages=["de"],
    ...                 relative_base=dt.datetime(2024, 5, 1, 12, 0))
    datetime.datetime(2024, 5, 1, 9, 0)
    >>> parse_date_text("31.02.2023") is None
    True
    """
    found = _find_date(s, tuple(languages), day_first=day_first)
    if found is None:
        if relative_base is not None and _relative_cue(s, tuple(languages)):
            return _parse_relative(s, tuple(languages), relative_base)
        return None
    day, start, end, exact = found
    if exact is not None:  # ISO 8601: carries its own time and offset
        return exact
    rest = s[:start] + " " + s[end:]
    time = _TIME.search(rest)
    tz = _TZ.search(rest)
    if tz:
        # Named zones and offsets are dateparser's job; the day is settled.
        text = day.isoformat() + (" " + _clock(time.group()) if time else "") + " " + tz.group()
        return _dateparser_cached(text, ("en",), aware=True)
    clock = (_clock_tuple(time.group()) if time else None) or (0, 0, 0)
    return dt.datetime(day.year, day.month, day.day, *clock)


def looks_like_dateline(line: str) -> bool:
    """Return True for a short line that carries a date.

    Parameters
    ----------
    line : str
        One line of a text dump.

    Returns
    -------
    bool
        True when the line has something written as a date (numeric, ISO,
        or a day, month name of any language dateparser knows, and year;
        valid or not, so "31.02.2023" is a dateline with no date) and is
        short enough (≤ 120 characters, ≤ 16 words) to be a dateline rather
        than a sentence that mentions a date.

    Examples
    --------
    >>> looks_like_dateline("13:31 | 22.09.2014"), looks_like_dateline("Home")
    (True, False)
    >>> looks_like_dateline("Publié le 21 juin 2018 à 11h13")
    True
    """
    return (len(line) <= 120 and _HAS_DIGIT.search(line) is not None
            and word_count(line) <= 16 and _date_shape(line))


def _date_shape(s: str) -> bool:
    """Return True if *s* holds something written as a date, valid or not ("31.02.2023")."""
    for match in _CANDIDATE.finditer(s):
        kind = _kind(match)
        if kind in ("iso", "num", "ymdn"):
            return True
        word = match.group({"dmy": "m1", "mdy": "m2", "ymd": "m3"}[kind])
        if _month_number(word, ()) is not None:
            return True
    return False


def relative_date_problem(line: str, *, languages: Sequence[str] = DEFAULT_LANGUAGES
                          ) -> str | None:
    """Return why a relative dateline has no date without a crawl time, else None.

    Examples
    --------
    >>> relative_date_problem("vor 3 Stunden", languages=["de"])
    "relative date 'vor 3 Stunden' and no crawl time to resolve it"
    >>> relative_date_problem("22.09.2014") is None
    True
    """
    if _find_date(line, tuple(languages)) is None and _relative_cue(line, tuple(languages)):
        return f"relative date {line[:60]!r} and no crawl time to resolve it"
    return None


def is_relative_dateline(line: str, *, languages: Sequence[str] = DEFAULT_LANGUAGES) -> bool:
    """Return True for a short line holding a relative date ("vor 3 Stunden", "yesterday").

    Examples
    --------
    >>> is_relative_dateline("Il y a 2 heures", languages=["fr"])
    True
    >>> is_relative_dateline("Heute im Programm: alle Sendungen", languages=["de"])
    False
    """
    return (word_count(line) <= _RELATIVE_MAX_WORDS and _HAS_DIGIT_OR_WORD.search(line) is not None
            and _relative_cue(line, tuple(languages)) is not None)


# --------------------------------------------------------------------------
# Calendar dates of any language

_HAS_DIGIT = re.compile(r"\d")
_HAS_DIGIT_OR_WORD = re.compile(r"\w")
# Candidate shapes; the month word is checked against dateparser's month
# names afterwards, so one generic pattern serves every language.
_CANDIDATE = re.compile(
    r"(?P<iso>(?<!\d)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d))"
    r"|(?P<num>(?<![\d.,/])(?P<n1>\d{1,2})(?P<sep>[./-]|\.\s)(?P<n2>\d{1,2})(?P=sep)"
    # A four-digit year may be glued to what follows ("06/11/20230 Kommentare",
    # "17/11/201917/11/2019"), unless that is a clock ("28.09.1912:44" is
    # 28.09.19 at 12:44); a two-digit year may be glued to a clock only.
    r"(?P<n3>(?:1[89]|20)\d{2}(?![/-]|\.\d|:\d)|\d{2}(?=\d{1,2}:\d{2}(?!\d))"
    r"|\d{4}(?![\d/-]|\.\d)|\d{2}(?![\d/-]|\.\d)))"
    r"|(?P<ymdn>(?<![\d.])(?P<y0>(?:1[89]|20)\d{2})[./](?P<m0>\d{1,2})[./](?P<d0>\d{1,2})(?!\d))"
    r"|(?P<dmy>(?<![\d.])(?P<d1>[0-3]?\d)(?:\.|º|°|er|st|nd|rd|th)?\s*(?:de\s+|of\s+|-)?"
    r"(?P<m1>[^\W\d_]{3,})\.?(?:\s*,?\s*(?:de|del|of)\s+|[\s,/-]+|-?)"
    r"(?P<y1>(?:1[89]|20)\d{2}))"
    r"|(?P<mdy>(?<!\w)(?P<m2>[^\W\d_]{3,})\.?\s*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?\.?,?\s+"
    r"(?P<y2>(?:1[89]|20)\d{2})(?!\d))"
    r"|(?P<ymd>(?<!\d)(?P<y3>(?:1[89]|20)\d{2})(?:\.|年|년)?\s*(?P<m3>[^\W\d_]{3,}|\d{1,2}月|\d{1,2}월)"
    r"\.?\s*(?P<d3>[0-3]?\d)(?:\.|日|일)?(?!\d))",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"(\d{1,2})[:.h](\d{2})(?::(\d{2}))?\s*(?:([ap])\.?\s?m\b\.?)?", re.I)
_RELATIVE_MAX_WORDS = 8


def _find_date(s: str, languages: tuple[str, ...], *, day_first: bool = False
               ) -> tuple[dt.date, int, int, dt.datetime | None] | None:
    """Return ``(day, start, end, iso datetime or None)`` of the first valid date in *s*."""
    if _HAS_DIGIT.search(s) is None:
        return None
    for match in _CANDIDATE.finditer(s):
        kind = _kind(match)
        if kind == "iso":
            exact = _parse_iso(match.group("iso"))
            if exact is not None:
                return exact.date(), match.start(), match.end(), exact
            continue
        day = _day_of(match, kind, languages, day_first=day_first)
        if day is not None:
            return day, match.start(), match.end(), None
    return None


_KINDS = ("iso", "num", "ymdn", "dmy", "mdy", "ymd")


def _kind(match: re.Match) -> str:
    """Return which alternative of :data:`_CANDIDATE` matched."""
    return next(k for k in _KINDS if match.group(k))


def _day_of(match: re.Match, kind: str, languages: tuple[str, ...], *, day_first: bool = False
            ) -> dt.date | None:
    """Return the calendar day a candidate match names, or None if it is not a date."""
    g = match.group
    if kind == "num":
        a, b, year = int(g("n1")), int(g("n2")), _year(g("n3"))
        month_first = g("sep") == "/" and not day_first and _month_first(languages)
        if a > 12 or (b <= 12 and not month_first):
            return _valid(year, b, a)
        return _valid(year, a, b) if b > 12 or month_first else None
    if kind == "ymdn":
        return _valid(int(g("y0")), int(g("m0")), int(g("d0")))
    word, day, year = {
        "dmy": (g("m1"), g("d1"), g("y1")), "mdy": (g("m2"), g("d2"), g("y2")),
        "ymd": (g("m3"), g("d3"), g("y3")),
    }[kind]
    month = _month_number(word, languages)
    return _valid(int(year), month, int(day)) if month else None


def _year(text: str) -> int:
    """Return a four-digit year; two digits are this century up to 69, the last above."""
    year = int(text)
    return year if len(text) == 4 else (2000 + year if year < 70 else 1900 + year)


def _valid(year: int, month: int, day: int) -> dt.date | None:
    """Return the date, or None when it does not exist (31 February, month 13)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_number(word: str, languages: tuple[str, ...]) -> int | None:
    """Return the month a month word names, preferring the page's languages."""
    key = word.casefold().rstrip(".")
    for suffix in ("月", "월"):
        if key.endswith(suffix) and key[:-1].isdigit():
            return int(key[:-1])
    senses = _month_table().get(key)
    if not senses:
        return None
    for lang in languages:
        if lang in senses:
            return senses[lang]
    # Most languages agree ("mai", "september"); else the most common sense.
    counts: dict[int, int] = {}
    for month in senses.values():
        counts[month] = counts.get(month, 0) + 1
    return max(sorted(counts), key=counts.__getitem__)


def _month_first(languages: tuple[str, ...]) -> bool:
    """Return True when the page's main language writes numeric dates month first."""
    return bool(languages) and _date_orders().get(languages[0], "DMY").startswith("M")


_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")


@functools.cache
def _translation_data() -> dict[str, dict]:
    """Return dateparser's per-language translation data, loaded once on first use."""
    from dateparser.data.languages_info import language_order

    out = {}
    for lang in language_order:
        try:
            module = importlib.import_module(f"dateparser.data.date_translation_data.{lang}")
        except ImportError:  # a locale listed without data
            continue
        out[lang] = module.info
    return out


@functools.cache
def _month_table() -> dict[str, dict[str, int]]:
    """Return ``{month word: {language: month number}}`` for every dateparser language.

    Words shorter than three letters are left out: too many are ordinary
    words somewhere ("ma", "do").
    """
    table: dict[str, dict[str, int]] = {}
    for lang, info in _translation_data().items():
        for month, key in enumerate(_MONTH_KEYS, start=1):
            for word in info.get(key, ()):
                word = word.casefold().rstrip(".")
                if len(word) >= 3 and not any(ch.isdigit() for ch in word):
                    table.setdefault(word, {}).setdefault(lang, month)
    return table


@functools.cache
def _date_orders() -> dict[str, str]:
    """Return ``{language: "DMY" | "MDY" | "YMD"}`` from dateparser's data."""
    return {lang: info.get("date_order", "DMY") for lang, info in _translation_data().items()}


def _clock_tuple(text: str) -> tuple[int, int, int] | None:
    """Return ``(hour, minute, second)`` of a printed time ("4:56 p.m.", "11h13"), or None."""
    m = _CLOCK.match(text.strip())
    if m is None:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if m.group(4):
        hour = hour % 12 + (12 if m.group(4).lower() == "p" else 0)
    return (hour, minute, second) if hour < 24 and minute < 60 and second < 60 else None


def _clock(text: str) -> str:
    """Return a printed time as ``HH:MM:SS`` for dateparser (``00:00:00`` if unreadable)."""
    clock = _clock_tuple(text) or (0, 0, 0)
    return "{:02d}:{:02d}:{:02d}".format(*clock)


# --------------------------------------------------------------------------
# Relative dates ("vor 3 Stunden", "yesterday")


@functools.cache
def _relative_pattern(lang: str) -> re.Pattern | None:
    """Return a regex finding the relative-date words of one language, or None."""
    info = _translation_data().get(lang)
    if info is None:
        return None
    starts = []  # alternatives that start a word
    for words in (info.get("relative-type") or {}).values():
        starts += [re.escape(w.casefold()) + r"(?!\w)" for w in words]
    for patterns in (info.get("relative-type-regex") or {}).values():
        # Anchored on word starts: dateparser's own patterns assume a
        # tokenised string ("vor 3 h").
        starts += [r"(?:" + p + r")(?!\w)" for p in patterns]
    parts = []
    if starts:
        # One word-start test for all of them: inside a word the search
        # moves on after one test, not one per alternative (the same
        # alternatives in the same order, so the same first match).
        parts.append(r"(?<!\w)(?:" + "|".join(starts) + ")")
    for word in info.get("ago") or ():
        parts.append(r"\d+\s*\w+\s+" + re.escape(word.casefold()) + r"(?!\w)")
    if not parts:
        return None
    try:
        return re.compile("|".join(parts), re.IGNORECASE)
    except re.error:  # a pattern Python's engine does not take
        return None


def _relative_cue(s: str, languages: tuple[str, ...]) -> str | None:
    """Return the first of *languages* whose relative-date words occur in *s*."""
    found = _relative_match(s, languages)
    return found[0] if found else None


def _relative_match(s: str, languages: tuple[str, ...]) -> tuple[str, str] | None:
    """Return ``(language, relative phrase plus any clock time)`` found in *s*, or None."""
    text = s.casefold()
    for lang in languages:
        pattern = _relative_pattern(lang)
        match = pattern.search(text) if pattern is not None else None
        if match is None:
            continue
        rest = text[:match.start()] + " " + text[match.end():]
        # The cue must be most of the line ("Aktualisiert vor 3 Stunden"),
        # not one word of a heading ("Heute im Programm: alle Sendungen").
        if len(_LETTERS.findall(rest)) <= 2:
            time = _TIME.search(rest)
            return lang, match.group() + (" " + time.group() if time else "")
    return None


_LETTERS = re.compile(r"[^\W\d_]{2,}")


def _parse_relative(s: str, languages: tuple[str, ...], base: dt.datetime) -> dt.datetime | None:
    """Return a relative dateline resolved against *base* (naive wall-clock time)."""
    found = _relative_match(s, languages)
    if found is None:
        return None
    lang, phrase = found
    naive = base.replace(tzinfo=None) if base.tzinfo else base
    settings = {"RELATIVE_BASE": naive, "PREFER_DATES_FROM": "past",
                "RETURN_AS_TIMEZONE_AWARE": False}
    try:
        return dateparser.parse(phrase, languages=[lang], settings=settings)
    except (ValueError, OverflowError):
        return None


def coerce_published(
    value, *, tz: str = "UTC", languages: Sequence[str] = DEFAULT_LANGUAGES,
    check_future: bool = True,
) -> tuple[pd.Timestamp | None, str | None]:
    """Return ``(timestamp in tz, problem)`` for a publication date of any form.

    Parameters
    ----------
    value : object
        A datetime, an ISO or free-text date string, Unix seconds or
        milliseconds, or a Reuters date tuple.
    tz : str
        Time zone of the result; naive values are wall-clock time in it.
    languages : sequence of str
        Month-name languages for free-text dates.
    check_future : bool
        Reject dates after tomorrow. A cache that outlives today turns this
        off and applies :func:`future_problems` when the result is used.

    Returns
    -------
    tuple of (pandas.Timestamp or None, str or None)
        The aware timestamp and ``None``, or ``None`` and the problem to
        record for unparseable, ambiguous and implausible dates (before
        1800, or after tomorrow).  Missing values give ``(None, None)``.

    Examples
    --------
    >>> coerce_published("2024-02-01T10:00:00+04:00", tz="UTC")
    (Timestamp('2024-02-01 06:00:00+0000', tz='UTC'), None)
    >>> coerce_published("12.05.2091", tz="UTC")[1]
    'implausible date 2091-05-12 (in the future)'
    >>> coerce_published(None)
    (None, None)
    """
    if value is None or value is pd.NaT or (isinstance(value, str) and not value.strip()):
        return None, None
    try:
        stamp = _timestamp_from(value, languages)
    except (ValueError, OverflowError, TypeError):
        stamp = None
    if stamp is None or stamp is pd.NaT:
        return None, f"unparseable date {str(value)[:60]!r}"
    # Years far outside the plausible range (0001, 9999) cannot be converted
    # between zones or turned into a date by pandas: judge them as written.
    if stamp.year < _EARLIEST.year - 10:
        return None, f"implausible date {_day(stamp)} (before 1800)"
    if stamp.year > _FAR_FUTURE_YEAR:
        return None, f"implausible date {_day(stamp)} (in the future)"
    try:
        stamp = stamp.tz_convert(tz) if stamp.tzinfo else stamp.tz_localize(
            tz, ambiguous="NaT", nonexistent="shift_forward")
    except (ValueError, OverflowError, NotImplementedError):
        return None, f"unparseable date {str(value)[:60]!r}"
    if stamp is pd.NaT:
        return None, f"ambiguous local time {str(value)[:60]!r} in {tz}"
    if stamp < _EARLIEST:
        return None, f"implausible date {_day(stamp)} (before 1800)"
    if check_future and stamp > latest_plausible():
        return None, _future_problem(stamp)
    return stamp, None


def latest_plausible() -> pd.Timestamp:
    """Return the latest publication time taken as real now: tomorrow, with a day to spare."""
    return pd.Timestamp.now(tz="UTC") + _LATEST_AHEAD


def _future_problem(stamp: pd.Timestamp) -> str:
    return f"implausible date {_day(stamp)} (in the future)"


def future_problems(published: pd.Series) -> pd.Series:
    """Return, per timestamp, the problem :func:`coerce_published` reports for a future date.

    Missing where the date is not after :func:`latest_plausible`.

    Examples
    --------
    >>> stamps = pd.Series(pd.to_datetime(["2020-01-01", "2091-05-12", None], utc=True))
    >>> future_problems(stamps).tolist()
    [None, 'implausible date 2091-05-12 (in the future)', None]
    """
    late = (published.notna() & (published > latest_plausible())).to_numpy(dtype=bool)
    out = np.full(len(published), None, dtype=object)
    out[late] = [_future_problem(stamp) for stamp in published[late]]
    return pd.Series(out, index=published.index, dtype=object)


def _day(stamp: pd.Timestamp) -> str:
    """Return ``YYYY-MM-DD`` of *stamp*; ``Timestamp.date()`` fails outside years 1-9999."""
    return f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"


def date_languages() -> tuple[str, ...]:
    """Return the language codes whose dates can be read (those dateparser knows).

    Examples
    --------
    >>> {"en", "ru", "az", "tr"} <= set(date_languages())
    True
    """
    from dateparser.data.languages_info import language_order

    return tuple(language_order)


def machine_time_kind(value) -> str | None:
    """Return what kind of unambiguous machine timestamp ``value`` is, or None.

    A machine timestamp names one instant whatever the reader's time zone:
    Unix seconds or milliseconds (9 to 13 digits, as a number or a string,
    as :func:`coerce_published` reads them), an ISO 8601 string ending in
    ``Z`` or an offset, or a datetime with a time zone. Display strings
    ("July 11, 2022 12:18 AM") and ISO strings without an offset are not.

    Examples
    --------
    >>> machine_time_kind(1657513103), machine_time_kind("1657513103000")
    ('Unix epoch', 'Unix epoch')
    >>> machine_time_kind("2022-07-11T04:18:23Z")
    'ISO 8601 with offset'
    >>> machine_time_kind("July 11, 2022 12:18 AM") is None, machine_time_kind("2022-07-11 04:18")
    (True, None)
    """
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return "Unix epoch" if np.isfinite(value) and 1e8 <= abs(value) < 1e13 else None
    if isinstance(value, str) and _EPOCH.match(value):
        return "Unix epoch"
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return "ISO 8601 with offset" if parsed.tzinfo is not None else None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return "datetime with time zone"
    return None


def word_count(line: str) -> int:
    """Return the number of words, counting two CJK characters as one word.

    Examples
    --------
    >>> word_count("13:31 | 22.09.2014"), word_count("東京都の天気")
    (5, 3)
    """
    cjk = len(_CJK.findall(line))
    if cjk:
        return len(_WORD.findall(_CJK.sub(" ", line))) + cjk // 2
    return len(_WORD.findall(line))


def _parse_iso(s: str) -> dt.datetime | None:
    """Return the datetime of an ISO 8601 string, or None if it is invalid."""
    try:
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return None


_DATE_CACHE: dict[tuple[str, tuple[str, ...], bool], dt.datetime | None] = {}


def _dateparser_cached(s: str, languages: tuple[str, ...], *, aware: bool) -> dt.datetime | None:
    """Return ``dateparser.parse`` of *s*, memoised: a site repeats datelines.

    Unless we saw a zone ourselves, dateparser must not return one (it reads
    some words, like "Mart", as zone abbreviations)."""
    key = (s, languages, aware)
    if key not in _DATE_CACHE:
        if len(_DATE_CACHE) > 4096:
            _DATE_CACHE.clear()
        settings = (
            _DATE_SETTINGS if aware else {**_DATE_SETTINGS, "RETURN_AS_TIMEZONE_AWARE": False}
        )
        _DATE_CACHE[key] = dateparser.parse(s, languages=list(languages), settings=settings)
    return _DATE_CACHE[key]


# 9-13 digits: Unix seconds (from 1973) or milliseconds, as exports write them.
_EPOCH = re.compile(r"^\s*\d{9,13}\s*$")


def _timestamp_from(value, languages: Sequence[str]) -> pd.Timestamp | None:
    """Return the timestamp of a published value (naive or aware), or None."""
    if isinstance(value, tuple):  # (Y, M, D, h, m, s, centiseconds) from Reuters
        return pd.Timestamp(*value[:6], value[6] * 10_000)
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return pd.Timestamp(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if not np.isfinite(value):
            return None
        # Exports hold Unix time in seconds or milliseconds.
        return pd.Timestamp(value / 1000 if abs(value) > 1e11 else value, unit="s", tz="UTC")
    if isinstance(value, str) and _EPOCH.match(value):
        return _timestamp_from(int(value.strip()), languages)  # CSV cells are strings
    if isinstance(value, str):
        try:
            # ISO 8601 only: pandas' free parser reads "12.05.2091" month-first.
            return pd.Timestamp(dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            # Day first, as newsscope has always read export dates: a cell
            # has no page language to decide "09/10/2014" by.
            parsed = parse_date_text(value, languages=languages, day_first=True)
            return pd.Timestamp(parsed) if parsed is not None else None
    return None
