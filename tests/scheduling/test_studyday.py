"""Study days: explicit aware datetimes only, so the machine's time zone never matters."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.scheduling.studyday import (
    DEFAULT_DAY_START_HOUR,
    available_timezones,
    days_between,
    is_valid_timezone,
    study_day,
    study_day_bounds,
)

HOUR = timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_default_day_start_hour() -> None:
    assert DEFAULT_DAY_START_HOUR == 4


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        # America/New_York in winter (UTC-5): 04:00 local is 09:00 UTC.
        (utc(2024, 1, 15, 8, 59, 59), "America/New_York", date(2024, 1, 14)),
        (utc(2024, 1, 15, 9, 0), "America/New_York", date(2024, 1, 15)),
        # ...and in summer (UTC-4): 04:00 local is 08:00 UTC.
        (utc(2024, 7, 1, 7, 59), "America/New_York", date(2024, 6, 30)),
        (utc(2024, 7, 1, 8, 0), "America/New_York", date(2024, 7, 1)),
        # A review at 01:30 local counts for the day before.
        (utc(2024, 1, 15, 6, 30), "America/New_York", date(2024, 1, 14)),
        # West of UTC, late evening local is still the previous UTC date's day.
        (utc(2024, 1, 16, 5, 0), "Pacific/Honolulu", date(2024, 1, 15)),
        # Europe/Berlin, winter (UTC+1) and summer (UTC+2).
        (utc(2024, 1, 15, 2, 59), "Europe/Berlin", date(2024, 1, 14)),
        (utc(2024, 1, 15, 3, 0), "Europe/Berlin", date(2024, 1, 15)),
        (utc(2024, 7, 15, 1, 59), "Europe/Berlin", date(2024, 7, 14)),
        (utc(2024, 7, 15, 2, 0), "Europe/Berlin", date(2024, 7, 15)),
        # East of UTC, the study day is ahead of the UTC date.
        (utc(2024, 1, 15, 20, 0), "Asia/Tokyo", date(2024, 1, 16)),
        (utc(2024, 1, 15, 18, 59), "Asia/Tokyo", date(2024, 1, 15)),
        # Half-hour and 45-minute offsets.
        (utc(2024, 1, 14, 22, 29, 59), "Asia/Kolkata", date(2024, 1, 14)),
        (utc(2024, 1, 14, 22, 30), "Asia/Kolkata", date(2024, 1, 15)),
        (utc(2024, 1, 14, 22, 14, 59), "Asia/Kathmandu", date(2024, 1, 14)),
        (utc(2024, 1, 14, 22, 15), "Asia/Kathmandu", date(2024, 1, 15)),
        # Australia/Adelaide: +10:30 in the southern summer, +9:30 in winter.
        (utc(2024, 1, 14, 17, 29), "Australia/Adelaide", date(2024, 1, 14)),
        (utc(2024, 1, 14, 17, 30), "Australia/Adelaide", date(2024, 1, 15)),
        (utc(2024, 7, 14, 18, 29), "Australia/Adelaide", date(2024, 7, 14)),
        (utc(2024, 7, 14, 18, 30), "Australia/Adelaide", date(2024, 7, 15)),
        (utc(2024, 1, 15, 3, 59), "UTC", date(2024, 1, 14)),
        (utc(2024, 1, 15, 4, 0), "UTC", date(2024, 1, 15)),
    ],
)
def test_study_day(now: datetime, tz: str, expected: date) -> None:
    assert study_day(now, tz) == expected
    assert study_day(now, ZoneInfo(tz)) == expected


@pytest.mark.parametrize(
    ("local_time", "expected"),
    [("03:59:59.999999", date(2024, 1, 14)), ("04:00:00", date(2024, 1, 15))],
)
def test_day_start_hour_boundary(local_time: str, expected: date) -> None:
    zone = ZoneInfo("Europe/Berlin")
    local = datetime.fromisoformat(f"2024-01-15T{local_time}").replace(tzinfo=zone)
    assert study_day(local.astimezone(UTC), zone, 4) == expected


def test_hour_zero_is_plain_local_midnight() -> None:
    assert study_day(utc(2024, 1, 15, 4, 59), "America/New_York", 0) == date(2024, 1, 14)
    assert study_day(utc(2024, 1, 15, 5, 0), "America/New_York", 0) == date(2024, 1, 15)
    assert study_day_bounds(date(2024, 1, 15), "America/New_York", 0) == (
        utc(2024, 1, 15, 5),
        utc(2024, 1, 16, 5),
    )


def test_hour_twenty_three() -> None:
    assert study_day(utc(2024, 1, 15, 21, 59), "Europe/Berlin", 23) == date(2024, 1, 14)
    assert study_day(utc(2024, 1, 15, 22, 0), "Europe/Berlin", 23) == date(2024, 1, 15)


def test_any_aware_datetime_is_accepted() -> None:
    tokyo_time = datetime(2024, 1, 16, 5, 0, tzinfo=timezone(timedelta(hours=9)))
    assert study_day(tokyo_time, "Asia/Tokyo") == date(2024, 1, 16)
    assert study_day(tokyo_time, "UTC") == date(2024, 1, 15)


def test_result_ignores_the_machine_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = study_day(utc(2024, 3, 10, 7, 30), "America/New_York", 2)
    bounds = study_day_bounds(date(2024, 3, 10), "America/New_York", 2)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    try:
        assert study_day(utc(2024, 3, 10, 7, 30), "America/New_York", 2) == expected
        assert study_day_bounds(date(2024, 3, 10), "America/New_York", 2) == bounds
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("day", "tz", "hour", "start", "end", "hours"),
    [
        # Ordinary days.
        (date(2024, 1, 15), "America/New_York", 4, utc(2024, 1, 15, 9), utc(2024, 1, 16, 9), 24),
        (
            date(2024, 1, 15),
            "Asia/Kolkata",
            4,
            utc(2024, 1, 14, 22, 30),
            utc(2024, 1, 15, 22, 30),
            24,
        ),
        # New York springs forward on 2024-03-10 at 02:00 EST -> 03:00 EDT.
        (date(2024, 3, 9), "America/New_York", 4, utc(2024, 3, 9, 9), utc(2024, 3, 10, 8), 23),
        (date(2024, 3, 10), "America/New_York", 4, utc(2024, 3, 10, 8), utc(2024, 3, 11, 8), 24),
        # Start hour 2 does not exist on 2024-03-10: the day starts at 03:00 EDT (07:00 UTC).
        (date(2024, 3, 9), "America/New_York", 2, utc(2024, 3, 9, 7), utc(2024, 3, 10, 7), 24),
        (date(2024, 3, 10), "America/New_York", 2, utc(2024, 3, 10, 7), utc(2024, 3, 11, 6), 23),
        # New York falls back on 2024-11-03 at 02:00 EDT -> 01:00 EST.
        (date(2024, 11, 2), "America/New_York", 4, utc(2024, 11, 2, 8), utc(2024, 11, 3, 9), 25),
        # Start hour 1 happens twice on 2024-11-03: the day starts at the first one (EDT).
        (date(2024, 11, 2), "America/New_York", 1, utc(2024, 11, 2, 5), utc(2024, 11, 3, 5), 24),
        (date(2024, 11, 3), "America/New_York", 1, utc(2024, 11, 3, 5), utc(2024, 11, 4, 6), 25),
        # Berlin springs forward on 2024-03-31 at 02:00 CET -> 03:00 CEST.
        (date(2024, 3, 30), "Europe/Berlin", 4, utc(2024, 3, 30, 3), utc(2024, 3, 31, 2), 23),
        (date(2024, 3, 31), "Europe/Berlin", 2, utc(2024, 3, 31, 1), utc(2024, 4, 1, 0), 23),
        # Berlin falls back on 2024-10-27 at 03:00 CEST -> 02:00 CET; 02:00 happens twice.
        (date(2024, 10, 26), "Europe/Berlin", 4, utc(2024, 10, 26, 2), utc(2024, 10, 27, 3), 25),
        (date(2024, 10, 27), "Europe/Berlin", 2, utc(2024, 10, 27, 0), utc(2024, 10, 28, 1), 25),
        # Adelaide springs forward on 2024-10-06 at 02:00 ACST (+9:30) -> 03:00 ACDT (+10:30).
        (
            date(2024, 10, 5),
            "Australia/Adelaide",
            4,
            utc(2024, 10, 4, 18, 30),
            utc(2024, 10, 5, 17, 30),
            23,
        ),
        # ...and falls back on 2024-04-07 at 03:00 ACDT -> 02:00 ACST.
        (
            date(2024, 4, 6),
            "Australia/Adelaide",
            4,
            utc(2024, 4, 5, 17, 30),
            utc(2024, 4, 6, 18, 30),
            25,
        ),
    ],
)
def test_bounds(day: date, tz: str, hour: int, start: datetime, end: datetime, hours: int) -> None:
    assert study_day_bounds(day, tz, hour) == (start, end)
    assert end - start == timedelta(hours=hours)
    assert start.tzinfo is UTC
    assert study_day(start, tz, hour) == day
    assert study_day(end - MICROSECOND, tz, hour) == day
    assert study_day(start - MICROSECOND, tz, hour) == day - timedelta(days=1)
    assert study_day(end, tz, hour) == day + timedelta(days=1)


def test_bounds_default_hour() -> None:
    assert study_day_bounds(date(2024, 1, 15), "UTC") == (utc(2024, 1, 15, 4), utc(2024, 1, 16, 4))


def test_second_occurrence_of_an_ambiguous_start_hour_is_inside_the_day() -> None:
    # 06:30 UTC on 2024-11-03 is 01:30 EST, the second 01:30 of that night.
    assert study_day(utc(2024, 11, 3, 6, 30), "America/New_York", 1) == date(2024, 11, 3)
    assert study_day(utc(2024, 11, 3, 5, 30), "America/New_York", 1) == date(2024, 11, 3)
    assert study_day(utc(2024, 11, 3, 4, 59), "America/New_York", 1) == date(2024, 11, 2)


def test_start_hour_in_the_middle_of_a_gap_starts_at_the_end_of_the_gap() -> None:
    # Antarctica/Troll jumps from +00 to +02 on 2024-03-31 at 01:00 UTC, so local 01:00-03:00
    # does not exist and 02:00 lies inside the gap, not at its start.
    start, end = study_day_bounds(date(2024, 3, 31), "Antarctica/Troll", 2)
    assert start == utc(2024, 3, 31, 1)
    assert end == utc(2024, 4, 1, 0)


def test_clock_moving_back_across_the_start_hour_does_not_reopen_the_previous_day() -> None:
    # Antarctica/Troll goes from +02 back to +00 on 2024-10-27 at 01:00 UTC: local 03:00 becomes
    # 01:00, so after 02:00 the wall clock shows 01:xx again; that is still 2024-10-27.
    start, end = study_day_bounds(date(2024, 10, 27), "Antarctica/Troll", 2)
    assert start == utc(2024, 10, 27, 0)
    assert end == utc(2024, 10, 28, 2)
    assert study_day(utc(2024, 10, 27, 1, 30), "Antarctica/Troll", 2) == date(2024, 10, 27)
    assert study_day(utc(2024, 10, 26, 23, 59), "Antarctica/Troll", 2) == date(2024, 10, 26)


def test_transition_off_the_hour_can_cross_the_start_hour() -> None:
    # Pacific/Chatham falls back on 2024-04-07 at 03:45 (+13:45) -> 02:45 (+12:45), so 03:00
    # happens twice. The day starts at the first 03:00 and the repeated 02:45-03:00 stays in it.
    start, end = study_day_bounds(date(2024, 4, 7), "Pacific/Chatham", 3)
    assert (start, end) == (utc(2024, 4, 6, 13, 15), utc(2024, 4, 7, 14, 15))
    assert study_day(utc(2024, 4, 6, 14, 5), "Pacific/Chatham", 3) == date(2024, 4, 7)
    # It springs forward on 2024-09-29 at 02:45 -> 03:45: 03:00 is inside the gap.
    start, end = study_day_bounds(date(2024, 9, 29), "Pacific/Chatham", 3)
    assert (start, end) == (utc(2024, 9, 28, 14), utc(2024, 9, 29, 13, 15))


def test_a_skipped_date_is_an_empty_or_short_study_day() -> None:
    # Pacific/Apia skipped 2011-12-30 entirely (UTC-10 -> UTC+14 at local midnight).
    start, end = study_day_bounds(date(2011, 12, 30), "Pacific/Apia", 0)
    assert start == end == utc(2011, 12, 30, 10)
    assert study_day(utc(2011, 12, 30, 10), "Pacific/Apia", 0) == date(2011, 12, 31)
    assert study_day(utc(2011, 12, 30, 9, 59), "Pacific/Apia", 0) == date(2011, 12, 29)
    # With the day starting at 04:00 the skipped date keeps the 4 hours after the jump.
    start, end = study_day_bounds(date(2011, 12, 30), "Pacific/Apia", 4)
    assert (start, end) == (utc(2011, 12, 30, 10), utc(2011, 12, 30, 14))


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError):
        study_day(datetime(2024, 1, 15, 12), "UTC")


@pytest.mark.parametrize(
    "tz", ["Mars/Olympus_Mons", "", "localtime", "America", "../etc/passwd", "europe/berlin"]
)
def test_unknown_zone_is_a_value_error(tz: str) -> None:
    with pytest.raises(ValueError):
        study_day(utc(2024, 1, 15), tz)
    with pytest.raises(ValueError):
        study_day_bounds(date(2024, 1, 15), tz)


@pytest.mark.parametrize("hour", [-1, 24, True, 4.0, "4", None])
def test_invalid_start_hour(hour: object) -> None:
    with pytest.raises(ValueError):
        study_day(utc(2024, 1, 15), "UTC", hour)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        study_day_bounds(date(2024, 1, 15), "UTC", hour)  # type: ignore[arg-type]


@pytest.mark.parametrize("day", [datetime(2024, 1, 15), "2024-01-15", date.max])
def test_invalid_bounds_day(day: object) -> None:
    with pytest.raises(ValueError):
        study_day_bounds(day, "UTC")  # type: ignore[arg-type]


def test_study_day_rejects_a_date() -> None:
    with pytest.raises(ValueError):
        study_day(date(2024, 1, 15), "UTC")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("Europe/Berlin", True),
        ("America/New_York", True),
        ("Asia/Kathmandu", True),
        ("UTC", True),
        ("europe/berlin", False),
        ("Europe/Atlantis", False),
        ("localtime", False),
        ("Factory", False),
        ("", False),
    ],
)
def test_is_valid_timezone(name: str, valid: bool) -> None:
    assert is_valid_timezone(name) is valid


def test_available_timezones() -> None:
    zones = available_timezones()
    assert zones == sorted(zones)
    assert len(zones) == len(set(zones))
    assert {"UTC", "Europe/Berlin", "Asia/Kolkata", "Australia/Adelaide"} <= set(zones)
    assert "localtime" not in zones
    assert all(is_valid_timezone(zone) for zone in zones)
    zones.clear()
    assert available_timezones()


@pytest.mark.parametrize(
    ("a", "b", "days"),
    [
        (date(2024, 1, 1), date(2024, 1, 31), 30),
        (date(2024, 1, 31), date(2024, 1, 1), -30),
        (date(2024, 1, 1), date(2024, 1, 1), 0),
        (date(2024, 2, 28), date(2024, 3, 1), 2),
        (date(2023, 2, 28), date(2023, 3, 1), 1),
    ],
)
def test_days_between(a: date, b: date, days: int) -> None:
    assert days_between(a, b) == days


def test_days_between_rejects_datetimes() -> None:
    with pytest.raises(ValueError):
        days_between(datetime(2024, 1, 1), date(2024, 1, 2))


# Property tests --------------------------------------------------------------------------

ALL_ZONES = st.sampled_from(available_timezones())
REGULAR_ZONES = st.sampled_from(
    [
        "UTC",
        "America/New_York",
        "America/Sao_Paulo",
        "Europe/Berlin",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Adelaide",
        "Australia/Lord_Howe",
    ]
)
# Chatham's transitions are at :45, so its clock can move back across the start hour.
SHORT_OR_LONG_DAY_ZONES = st.one_of(REGULAR_ZONES, st.just("Pacific/Chatham"))
hours = st.integers(min_value=0, max_value=23)
instants = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)
days = st.dates(min_value=date(1971, 1, 1), max_value=date(2099, 12, 31))


@given(instants, ALL_ZONES, hours)
def test_an_instant_lies_in_the_bounds_of_its_study_day(
    instant: datetime, tz: str, hour: int
) -> None:
    start, end = study_day_bounds(study_day(instant, tz, hour), tz, hour)
    assert start <= instant < end


@given(days, ALL_ZONES, hours, st.integers(min_value=0))
def test_bounds_hold_exactly_the_instants_of_that_day(
    day: date, tz: str, hour: int, offset: int
) -> None:
    start, end = study_day_bounds(day, tz, hour)
    assert start <= end
    if start < end:
        inside = start + MICROSECOND * (offset % ((end - start) // MICROSECOND))
        assert study_day(inside, tz, hour) == day
        assert study_day(end - MICROSECOND, tz, hour) == day
    assert study_day(start - MICROSECOND, tz, hour) < day
    assert study_day(end, tz, hour) > day


@given(days, SHORT_OR_LONG_DAY_ZONES, hours)
def test_regular_study_days_last_23_to_25_hours(day: date, tz: str, hour: int) -> None:
    start, end = study_day_bounds(day, tz, hour)
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)
    assert study_day_bounds(day + timedelta(days=1), tz, hour)[0] == end


@given(instants, REGULAR_ZONES, hours)
def test_without_dst_surprises_it_is_the_shifted_local_date(
    instant: datetime, tz: str, hour: int
) -> None:
    local = instant.astimezone(ZoneInfo(tz))
    expected = (local.replace(tzinfo=None) - timedelta(hours=hour)).date()
    assert study_day(instant, tz, hour) == expected
