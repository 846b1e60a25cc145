from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.scheduling.ical import CalendarEvent, calendar_text

NOW = datetime(2025, 3, 1, tzinfo=UTC)


def test_times_are_written_in_utc_across_the_clock_change():
    start = datetime(2025, 3, 10, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    text = calendar_text(
        "Clinic", [CalendarEvent("a-1", start, start + timedelta(hours=2), "Visit")], now=NOW
    )
    assert "DTSTART:20250310T130000Z" in text and "DTEND:20250310T150000Z" in text
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")


def test_a_cancelled_event_says_so():
    start = datetime(2025, 3, 4, 9, tzinfo=UTC)
    text = calendar_text("C", [CalendarEvent("x", start, start, "V", cancelled=True)], now=NOW)
    assert "STATUS:CANCELLED" in text


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        calendar_text("C", [CalendarEvent("x", datetime(2025, 3, 4), NOW, "V")], now=NOW)  # noqa: DTZ001


@given(st.text(min_size=1, max_size=300))
def test_any_summary_stays_on_folded_lines_of_at_most_75_octets(summary):
    start = datetime(2025, 3, 4, 9, tzinfo=UTC)
    text = calendar_text("C", [CalendarEvent("x", start, start, summary)], now=NOW)
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert sum(1 for line in unfolded.split("\r\n") if line.startswith("SUMMARY:")) == 1
