"""Tests for analysis.dates: dateline parsing and coercion of published values."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from analysis.dates import (
    coerce_published,
    date_languages,
    is_relative_dateline,
    looks_like_dateline,
    machine_time_kind,
    parse_date_text,
    relative_date_problem,
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
        # glued to what follows on the page: a count, a copy, a clock
        ("06.11.20230 Kommentare", datetime.datetime(2023, 11, 6)),
        ("17/11/201917/11/2019 ~ Cem Basman", datetime.datetime(2019, 11, 17)),
        ("macbacchi28.09.1912:44", datetime.datetime(2019, 9, 28, 12, 44)),
        ("28.09.201912:44", datetime.datetime(2019, 9, 28, 12, 44)),
        ("28.09.19 12:44", datetime.datetime(2019, 9, 28, 12, 44)),
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


# --------------------------------------------------------------------------
# Datelines in any language dateparser knows (issue 14)


@pytest.mark.parametrize(
    ("text", "languages", "expected"),
    [
        ("19. Oktober 2019, 19:08 Uhr", ["de"], datetime.datetime(2019, 10, 19, 19, 8)),
        ("Veröffentlicht am 5. Juni 2023", ["de"], datetime.datetime(2023, 6, 5)),
        ("Sa, 19. Okt 2019", ["de"], datetime.datetime(2019, 10, 19)),
        ("Publié le 21 juin 2018 à 11h13", ["fr"], datetime.datetime(2018, 6, 21, 11, 13)),
        ("Miércoles, 4 de Mayo de 2022 a las 07:46hrs.", ["es"],
         datetime.datetime(2022, 5, 4, 7, 46)),
        ("26 października 2023", ["pl"], datetime.datetime(2023, 10, 26)),
        ("3 listopada 2021", ["pl"], datetime.datetime(2021, 11, 3)),
        ("2023. október 26.", ["hu"], datetime.datetime(2023, 10, 26)),
        ("2023年10月26日", ["ja"], datetime.datetime(2023, 10, 26)),
        ("Thursday, November 9th 2023", ["en"], datetime.datetime(2023, 11, 9)),
        ("PUBLISHED: November 8, 2023 at 4:56 p.m.", ["en"],
         datetime.datetime(2023, 11, 8, 16, 56)),
        ("18. 05. 2014", ["de"], datetime.datetime(2014, 5, 18)),
        ("22. Dezember 201922. Dezember 2019 von Peter Addor", ["de"],
         datetime.datetime(2019, 12, 22)),
    ],
)
def test_parse_date_text_any_language(text, languages, expected):
    assert parse_date_text(text, languages=languages) == expected


def test_month_words_shared_by_languages_follow_the_page_language():
    # "listopad" is November in Polish and Czech but October in Croatian.
    assert parse_date_text("1 listopad 2021", languages=["pl"]).month == 11
    assert parse_date_text("1 listopad 2021", languages=["hr"]).month == 10


def test_numeric_slash_dates_follow_the_page_language():
    assert parse_date_text("10/09/2019", languages=["en"]) == datetime.datetime(2019, 10, 9)
    assert parse_date_text("10/09/2019", languages=["fr"]) == datetime.datetime(2019, 9, 10)
    # Unambiguous either way, and dots are day first everywhere.
    assert parse_date_text("25/09/2019", languages=["en"]) == datetime.datetime(2019, 9, 25)
    assert parse_date_text("10.09.2019", languages=["en"]) == datetime.datetime(2019, 9, 10)


@pytest.mark.parametrize(
    ("text", "languages", "expected"),
    [
        ("vor 3 Stunden", ["de"], datetime.datetime(2024, 5, 1, 9, 0)),
        ("Aktualisiert vor 2 Tagen", ["de"], datetime.datetime(2024, 4, 29, 12, 0)),
        ("gestern, 10:15", ["de"], datetime.datetime(2024, 4, 30, 10, 15)),
        ("Il y a 2 heures", ["fr"], datetime.datetime(2024, 5, 1, 10, 0)),
        ("hace 13 horas", ["es"], datetime.datetime(2024, 4, 30, 23, 0)),
        ("5 hours ago", ["en"], datetime.datetime(2024, 5, 1, 7, 0)),
    ],
)
def test_relative_dates_resolve_against_the_crawl_time(text, languages, expected):
    crawled = datetime.datetime(2024, 5, 1, 12, 0)
    assert parse_date_text(text, languages=languages, relative_base=crawled) == expected
    # Without a crawl time there is no date, and the reason says why.
    assert parse_date_text(text, languages=languages) is None
    assert "no crawl time" in relative_date_problem(text, languages=languages)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Heute im Programm: alle Sendungen des Tages", False),
        ("vor 3 Stunden", True),
        ("Gestern", True),
    ],
)
def test_is_relative_dateline_needs_the_cue_to_be_most_of_the_line(line, expected):
    assert is_relative_dateline(line, languages=["de"]) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("19. Oktober 2019, 19:08 Uhr", True),
        ("Publié le 21 juin 2018 à 11h13", True),
        ("31.02.2023", True),  # written as a date: a dateline, if not a valid one
        ("Folge 3 Tage 2019", False),
        ("Seite 3 von 2019", False),
    ],
)
def test_looks_like_dateline_any_language(line, expected):
    assert looks_like_dateline(line) is expected


def test_export_dates_stay_day_first_whatever_the_languages():
    # A page in English reads "09/10/2014" month first; an export cell has no
    # page language and keeps newsscope's day-first reading.
    assert parse_date_text("09/10/2014", languages=["en"]) == datetime.datetime(2014, 9, 10)
    stamp, problem = coerce_published("09/10/2014", languages=("en", "ru"))
    assert problem is None and (stamp.month, stamp.day) == (10, 9)
