"""Tests for analysis.dates: dateline parsing and coercion of published values."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from analysis.dates import (
    coerce_published,
    date_languages,
    looks_like_dateline,
    machine_time_kind,
    parse_date_text,
)

# --------------------------------------------------------------------------
# Datelines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13:31 | 22.09.2014", datetime.datetime(2014, 9, 22, 13, 31)),
        ("22.09.2014 13:31", datetime.datetime(2014, 9, 22, 13, 31)),
        ("22 September 2014", datetime.datetime(2014, 9, 22)),
        ("September 22, 2014", datetime.datetime(2014, 9, 22)),
        ("Published: Sept. 22, 2014", datetime.datetime(2014, 9, 22)),
        ("2014-09-22T13:31:00", datetime.datetime(2014, 9, 22, 13, 31)),
        ("2014-09-22", datetime.datetime(2014, 9, 22)),
        ("22 сентября 2014", datetime.datetime(2014, 9, 22)),
        ("22 sentyabr 2014", datetime.datetime(2014, 9, 22)),
        ("22 Eylül 2014", datetime.datetime(2014, 9, 22)),
    ],
)
def test_parse_date_text_formats(text, expected):
    assert parse_date_text(text) == expected


def test_parse_date_text_offsets_make_aware_datetimes():
    aware = parse_date_text("22.09.2014 13:31 +04:00")
    assert aware is not None and aware.utcoffset() == datetime.timedelta(hours=4)
    iso = parse_date_text("2014-09-22T13:31:00+04:00")
    assert iso == datetime.datetime(
        2014, 9, 22, 13, 31, tzinfo=datetime.timezone(datetime.timedelta(hours=4))
    )


@pytest.mark.parametrize("text", ["31.02.2023", "2023-02-31", "no date here", ""])
def test_parse_date_text_rejects_invalid(text):
    assert parse_date_text(text) is None


def test_turkish_month_is_not_read_as_a_zone():
    # "Mart" is Turkish (and Azerbaijani) March; read as a zone it made the
    # result aware.
    assert parse_date_text("22 Mart 2024 10:15") == datetime.datetime(2024, 3, 22, 10, 15)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("13:31 | 22.09.2014", True),
        ("22 сентября 2014, 10:05", True),
        ("Home", False),
        ("The council met on 22.09.2014 and agreed, after a long debate that went on "
         "late into the night, to repair the old bridge before the winter.", False),
    ],
)
def test_looks_like_dateline(line, expected):
    assert looks_like_dateline(line) is expected


# --------------------------------------------------------------------------
# coerce_published


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        ("2024-02-01T10:00:00+04:00", "UTC", pd.Timestamp("2024-02-01 06:00", tz="UTC")),
        ("2024-02-01T10:00:00Z", "Asia/Baku", pd.Timestamp("2024-02-01 14:00", tz="Asia/Baku")),
        ("2024-02-01 10:00", "Asia/Baku", pd.Timestamp("2024-02-01 10:00", tz="Asia/Baku")),
        (datetime.datetime(2024, 2, 1, 10), "Asia/Baku",
         pd.Timestamp("2024-02-01 10:00", tz="Asia/Baku")),
        (1_700_000_000, "UTC", pd.Timestamp("2023-11-14 22:13:20", tz="UTC")),
        (1_700_000_000_000, "UTC", pd.Timestamp("2023-11-14 22:13:20", tz="UTC")),
        (np.int64(1_700_000_000), "UTC", pd.Timestamp("2023-11-14 22:13:20", tz="UTC")),
        (1_700_000_000.5, "UTC", pd.Timestamp("2023-11-14 22:13:20.5", tz="UTC")),
        ((2023, 11, 3, 14, 5, 0, 50), "UTC", pd.Timestamp("2023-11-03 14:05:00.5", tz="UTC")),
        ("3 ноября 2023, 14:05", "Europe/Moscow",
         pd.Timestamp("2023-11-03 14:05", tz="Europe/Moscow")),
        ("3 noyabr 2023", "Asia/Baku", pd.Timestamp("2023-11-03", tz="Asia/Baku")),
        ("22 Mart 2024", "Europe/Istanbul", pd.Timestamp("2024-03-22", tz="Europe/Istanbul")),
        ("13:31 | 22.09.2014", "UTC", pd.Timestamp("2014-09-22 13:31", tz="UTC")),
    ],
)
def test_coerce_published_parses(value, tz, expected):
    stamp, problem = coerce_published(value, tz=tz)
    assert problem is None
    assert stamp == expected
    assert str(stamp.tz) == tz


@pytest.mark.parametrize("value", [None, "", "   ", pd.NaT])
def test_coerce_published_missing(value):
    assert coerce_published(value) == (None, None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("31.02.2023", "unparseable date '31.02.2023'"),
        ("no date here", "unparseable date"),
        (float("nan"), "unparseable date"),
        (float("inf"), "unparseable date"),
        ([2023, 1, 1], "unparseable date"),
        ("12.05.2091", "implausible date 2091-05-12 (in the future)"),
        (pd.Timestamp("2091-01-01", tz="UTC"), "implausible date 2091-01-01 (in the future)"),
        ("1750-06-01", "implausible date 1750-06-01 (before 1800)"),
        ("0001-01-01T00:00:00", "implausible date 0001-01-01 (before 1800)"),
    ],
)
def test_coerce_published_rejects(value, reason):
    stamp, problem = coerce_published(value)
    assert stamp is None
    assert problem is not None and problem.startswith(reason)


@pytest.mark.parametrize(
    ("value", "tz"),
    [
        ("2023-10-29 02:30", "Europe/Berlin"),
        (datetime.datetime(2023, 10, 29, 2, 30), "Europe/Berlin"),
    ],
)
def test_coerce_published_ambiguous_local_time_is_reported_not_raised(value, tz):
    stamp, problem = coerce_published(value, tz=tz)
    assert stamp is None
    assert problem is not None and problem.startswith("ambiguous local time")
    assert tz in problem


def test_coerce_published_nonexistent_local_time_moves_forward():
    # 02:30 does not exist on the spring-forward night; the clock reading is
    # kept as the first valid instant after the gap.
    stamp, problem = coerce_published("2023-03-26 02:30", tz="Europe/Berlin")
    assert problem is None
    assert stamp == pd.Timestamp("2023-03-26 03:00", tz="Europe/Berlin")


# --------------------------------------------------------------------------
# machine_time_kind: which export values name one instant whatever the zone


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (1_657_513_103, "Unix epoch"),
        (1_657_513_103_000, "Unix epoch"),
        (np.int64(1_657_513_103), "Unix epoch"),
        (1_657_513_103.25, "Unix epoch"),
        ("1657513103", "Unix epoch"),
        (" 1657513103000 ", "Unix epoch"),
        ("2022-07-11T04:18:23Z", "ISO 8601 with offset"),
        ("2022-07-11T00:18:23-04:00", "ISO 8601 with offset"),
        ("2022-07-11 08:18:23+0400", "ISO 8601 with offset"),
        (datetime.datetime(2022, 7, 11, 4, 18, tzinfo=datetime.UTC),
         "datetime with time zone"),
        (pd.Timestamp("2022-07-11 04:18", tz="UTC"), "datetime with time zone"),
        ("July 11, 2022 12:18 AM", None),
        ("11.07.2022 00:18", None),
        ("2022-07-11T04:18:23", None),  # no offset: wall-clock time somewhere
        ("2022-07-11", None),
        (datetime.datetime(2022, 7, 11, 4, 18), None),
        (2022, None),  # a year, not Unix time
        (True, None),
        (float("nan"), None),
        ("2022-02-31T00:00:00Z", None),
        (None, None),
    ],
)
def test_machine_time_kind(value, kind):
    assert machine_time_kind(value) == kind


@pytest.mark.parametrize("value", [1_657_513_103, "1657513103000", "2022-07-11T00:18:23-04:00"])
def test_machine_times_coerce_to_their_instant(value):
    assert machine_time_kind(value) is not None
    stamp, problem = coerce_published(value, tz="Asia/Baku")
    assert problem is None
    assert stamp == pd.Timestamp("2022-07-11 04:18:23", tz="UTC")


def test_date_languages_include_the_default_ones():
    assert {"en", "ru", "az", "tr"} <= set(date_languages())
    assert "xx" not in date_languages()
