"""The range record dates must lie in, and one time zone for report times.

A date far outside the range validates as a date yet breaks the build later: 9999-12-31 with a
UTC offset overflows when converted to UTC, and a paper added on or after 2106-02-08 gives a
build timestamp (SOURCE_DATE_EPOCH) that gzip cannot store. Validation refuses such dates, so
`validate` and `build` agree.

- Dates of publication (a paper's first version, dates from arXiv or Semantic Scholar):
  1900-01-01 to 2099-12-31, the range of `year`.
- Dates the site is built from (a paper's `added`, a report's `generated`) and the times of
  enrichment answers: 1970-01-01 to 2099-12-31 (Unix timestamps; gzip stores them in 32 bits).
- Report times without a UTC offset are UTC; a time with an offset is converted to UTC, so two
  reports always compare (a naive and an aware time never meet).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

PUBLISHED_RANGE = (date(1900, 1, 1), date(2099, 12, 31))
TIMESTAMP_RANGE = (date(1970, 1, 1), date(2099, 12, 31))


def refuse_number(value: object) -> object:
    """Refuse a bare number where a date belongs (pydantic would read it as a Unix timestamp)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            f"{value!r} is not a date; write YYYY-MM-DD (if only the year is known, use year:)"
        )
    return value


def _check(day: date, bounds: tuple[date, date], what: str) -> None:
    low, high = bounds
    if not low <= day <= high:
        raise ValueError(
            f"{day.isoformat()} is outside the range of {what}, {low.isoformat()} to"
            f" {high.isoformat()}; check the year"
        )


def check_published_date(value: date) -> date:
    """Refuse a publication date outside 1900-01-01 to 2099-12-31."""
    _check(value, PUBLISHED_RANGE, "publication dates")
    return value


def check_timestamp_date(value: date) -> date:
    """Refuse a date the site is built from outside 1970-01-01 to 2099-12-31."""
    _check(value, TIMESTAMP_RANGE, "record dates")
    return value


def check_timestamp(value: datetime) -> datetime:
    """Refuse a time outside 1970-01-01 to 2099-12-31 (read in its own time zone)."""
    _check(value.date(), TIMESTAMP_RANGE, "record times")
    return value


def as_utc_naive(value: datetime) -> datetime:
    """Return a time in UTC without an offset; a time without one is taken as UTC already."""
    check_timestamp(value)  # in range, so the conversion below cannot overflow
    if value.tzinfo is None:
        return value
    utc = value.astimezone(UTC).replace(tzinfo=None)
    _check(utc.date(), TIMESTAMP_RANGE, "record times (in UTC)")
    return utc
