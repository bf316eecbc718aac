"""Study days: a user's "today" in their own time zone, with a configurable day-start hour.

A study day is the user's local date in their IANA time zone, except that the day starts at
``day_start_hour`` (default 4) instead of midnight: a review at 01:30 local time counts for the
day before, so a late-night session is one day, not two.

Study day D runs from D at ``day_start_hour``:00 local time (inclusive) to D + 1 at the same
wall-clock hour (exclusive). Daylight-saving rules for that start instant:

- If the wall time does not exist (a spring-forward gap), the day starts at the first instant
  after the gap.
- If the wall time happens twice (a fall-back overlap), the day starts at the first
  occurrence (``fold=0``).

So a study day that contains a DST change is 23 or 25 hours long. ``study_day`` is defined
from these bounds, so an instant is in ``study_day_bounds(D)`` exactly when its study day is D;
for every ordinary zone this is simply the local date after subtracting ``day_start_hour``
hours.

Nothing here reads the machine's clock or time zone: pass an aware datetime and a zone name.
The zone names on offer are the IANA names from ``zoneinfo`` (the ``tzdata`` package),
without the machine-dependent ``localtime`` and the placeholder ``Factory``.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_DAY_START_HOUR",
    "available_timezones",
    "days_between",
    "is_valid_timezone",
    "study_day",
    "study_day_bounds",
]

DEFAULT_DAY_START_HOUR: Final = 4

# "localtime" is the machine's own zone and "Factory" a placeholder; neither is a user choice.
_EXCLUDED_ZONES: Final = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() - _EXCLUDED_ZONES))


@lru_cache(maxsize=1)
def _zone_name_set() -> frozenset[str]:
    return frozenset(_zone_names())


def available_timezones() -> list[str]:
    """Return the sorted IANA zone names a user may choose (for the settings form)."""
    return list(_zone_names())


def is_valid_timezone(name: str) -> bool:
    """Return True if ``name`` is one of ``available_timezones()``."""
    return isinstance(name, str) and name in _zone_name_set()


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not is_valid_timezone(tz):
        raise ValueError(f"unknown time zone: {tz!r}")
    return ZoneInfo(tz)


def _check_hour(day_start_hour: int) -> int:
    if (
        isinstance(day_start_hour, bool)
        or not isinstance(day_start_hour, int)
        or not 0 <= day_start_hour <= 23
    ):
        raise ValueError(f"day_start_hour must be an int from 0 to 23, got {day_start_hour!r}")
    return day_start_hour


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def _resolve_wall_time(wall: datetime, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of a naive local wall time, resolving DST as documented."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == wall:
        # The wall time exists; fold=0 is its first occurrence if it happens twice.
        return first
    # In a gap, fold=0 maps with the offset before the change, landing after the gap, and
    # fold=1 with the offset after it, landing before the gap. Search between the two for the
    # change itself; tz transitions are on whole seconds.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = 0, int((first - before).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(before + timedelta(seconds=middle), zone) > wall:
            high = middle
        else:
            low = middle
    return before + timedelta(seconds=high)


def _day_start(day: date, zone: ZoneInfo, day_start_hour: int) -> datetime:
    return _resolve_wall_time(datetime.combine(day, time(day_start_hour)), zone)


def study_day_bounds(
    day: date, tz: str | ZoneInfo, day_start_hour: int = DEFAULT_DAY_START_HOUR
) -> tuple[datetime, datetime]:
    """Return the UTC start (inclusive) and end (exclusive) of study day ``day``."""
    zone = _zone(tz)
    hour = _check_hour(day_start_hour)
    if isinstance(day, datetime) or not isinstance(day, date):
        raise ValueError(f"day must be a date, got {day!r}")
    try:
        return _day_start(day, zone, hour), _day_start(day + timedelta(days=1), zone, hour)
    except OverflowError as error:
        raise ValueError(f"day out of range: {day!r}") from error


def study_day(
    now_utc: datetime, tz: str | ZoneInfo, day_start_hour: int = DEFAULT_DAY_START_HOUR
) -> date:
    """Return the study day that the aware instant ``now_utc`` belongs to in zone ``tz``."""
    if not isinstance(now_utc, datetime):
        raise ValueError(f"now_utc must be a datetime, got {now_utc!r}")
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be timezone-aware")
    zone = _zone(tz)
    hour = _check_hour(day_start_hour)
    try:
        day = (_wall(now_utc, zone) - timedelta(hours=hour)).date()
        # The guess is right unless a DST change moves the wall clock back across the
        # day-start hour (a change off the hour, as in Pacific/Chatham, or a 2-hour one, as in
        # Antarctica/Troll); the bounds decide, so every study day is one unbroken interval.
        while now_utc < _day_start(day, zone, hour):
            day -= timedelta(days=1)
        while now_utc >= _day_start(day + timedelta(days=1), zone, hour):
            day += timedelta(days=1)
    except OverflowError as error:
        raise ValueError(f"now_utc out of range: {now_utc!r}") from error
    return day


def days_between(a: date, b: date) -> int:
    """Return the number of days from ``a`` to ``b`` (negative if ``b`` is before ``a``)."""
    for value in (a, b):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"expected a date, got {value!r}")
    return (b - a).days
