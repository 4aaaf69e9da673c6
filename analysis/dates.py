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
import re
from collections.abc import Sequence

import dateparser
import numpy as np
import pandas as pd

from analysis.config import DEFAULT_LANGUAGES

__all__ = ["coerce_published", "date_languages", "future_problems", "latest_plausible",
           "looks_like_dateline", "machine_time_kind", "parse_date_text", "word_count"]

# Month names per language: a dateline is parsed with only the languages
# its month word belongs to ("Mart" is Turkish March, but a time zone to an
# English parser).
_MONTHS = {
    "en": r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?",
    "ru": r"январ[ья]|феврал[ья]|марта?|апрел[ья]|ма[йя]|июн[ья]|июл[ья]|августа?|"
    r"сентябр[ья]|октябр[ья]|ноябр[ья]|декабр[ья]|янв|фев|апр|авг|сен|окт|ноя|дек",
    "az": r"yanvar|fevral|mart|aprel|may|iyun|iyul|avqust|sentyabr|oktyabr|noyabr|dekabr",
    "tr": r"ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık",
}
_MONTH_NAMES = "|".join(_MONTHS.values())
_MONTH_WORD = re.compile(rf"(?<!\w)(?:{_MONTH_NAMES})(?!\w)", re.IGNORECASE)
_DATE = re.compile(
    r"(?P<iso>\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d))"
    r"|(?P<num>(?<![\d.])\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?![\d.]))"
    rf"|(?P<dmy>\b\d{{1,2}}\.?\s+(?:{_MONTH_NAMES})\.?,?\s+\d{{4}}\b)"
    rf"|(?P<mdy>\b(?:{_MONTH_NAMES})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b)",
    re.IGNORECASE,
)
_TIME = re.compile(r"(?<![\d.:])\d{1,2}[:.]\d{2}(?::\d{2})?(?![\d.:])(?:\s*[ap]\.?m\b\.?)?", re.I)
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
    s: str, *, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> dt.datetime | None:
    """Parse the date (and time, and offset if printed) of a dateline.

    Parameters
    ----------
    s : str
        A short dateline such as ``"13:31 | 22.09.2014"``.
    languages : sequence of str
        Month-name languages handed to ``dateparser`` (no auto-detection).

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
    >>> parse_date_text("31.02.2023") is None
    True
    """
    match = _DATE.search(s)
    if match is None:
        return None
    if match.group("iso"):
        return _parse_iso(match.group("iso"))
    rest = s[: match.start()] + " " + s[match.end() :]
    month = _MONTH_WORD.search(match.group())
    if month:
        word = month.group()
        languages = [
            lang for lang in languages
            if lang in _MONTHS and re.fullmatch(_MONTHS[lang], word, re.IGNORECASE)
        ] or languages
    parts = [match.group()]
    time = _TIME.search(rest)
    if time:
        parts.append(time.group())
    tz = _TZ.search(rest)
    if tz:
        parts.append(tz.group())
    return _dateparser_cached(" ".join(parts), tuple(languages), aware=bool(tz))


def looks_like_dateline(line: str) -> bool:
    """Return True for a short line that carries a date.

    Parameters
    ----------
    line : str
        One line of a text dump.

    Returns
    -------
    bool
        True when the line has a date :func:`parse_date_text` would look at
        and is short enough (≤ 120 characters, ≤ 16 words) to be a dateline
        rather than a sentence that mentions a date.

    Examples
    --------
    >>> looks_like_dateline("13:31 | 22.09.2014"), looks_like_dateline("Home")
    (True, False)
    """
    return len(line) <= 120 and word_count(line) <= 16 and bool(_DATE.search(line))


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
            parsed = parse_date_text(value, languages=languages)
            return pd.Timestamp(parsed) if parsed is not None else None
    return None
