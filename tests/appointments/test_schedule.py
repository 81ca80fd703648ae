"""Weekly series in Paris time: occurrences keep their local hours across daylight-saving
changes (the last Sundays of March and October), skip exceptions, and day bounds are
23 or 25 hours long on those days."""

from datetime import UTC, date, datetime, time, timedelta

from maillage.appointments.schedule import PARIS, day_bounds, french_datetime, local_instant, occurrences


def test_weekly_series_keeps_local_hours_across_both_changes():
    # Mondays and Sundays at 09:30 from mid-March to early November 2026
    # (clocks go forward on Sunday 29 March, back on Sunday 25 October).
    found = list(occurrences([0, 6], time(9, 30), 45, date(2026, 3, 22), date(2026, 11, 2)))
    assert all(o.starts_at.astimezone(PARIS).time() == time(9, 30) for o in found)
    assert all(o.ends_at - o.starts_at == timedelta(minutes=45) for o in found)
    by_day = {o.local_date: o.starts_at for o in found}
    assert by_day[date(2026, 3, 22)] == datetime(2026, 3, 22, 8, 30, tzinfo=UTC)    # winter: UTC+1
    assert by_day[date(2026, 3, 29)] == datetime(2026, 3, 29, 7, 30, tzinfo=UTC)    # the change day: UTC+2
    assert by_day[date(2026, 10, 25)] == datetime(2026, 10, 25, 8, 30, tzinfo=UTC)  # back to UTC+1
    assert by_day[date(2026, 10, 19)] == datetime(2026, 10, 19, 7, 30, tzinfo=UTC)
    assert {o.local_date.weekday() for o in found} == {0, 6}


def test_exceptions_are_skipped_and_bounds_included():
    found = list(occurrences([1], time(14, 0), 60, date(2026, 4, 7), date(2026, 4, 28), [date(2026, 4, 14)]))
    assert [o.local_date for o in found] == [date(2026, 4, 7), date(2026, 4, 21), date(2026, 4, 28)]


def test_skipped_and_repeated_wall_clock_times():
    # 02:30 does not exist on 29 March 2026: it is 03:30 on the clocks.
    assert local_instant(date(2026, 3, 29), time(2, 30)).astimezone(PARIS).time() == time(3, 30)
    # 02:30 happens twice on 25 October 2026: the first one (summer time).
    assert local_instant(date(2026, 10, 25), time(2, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_day_bounds_on_change_days():
    start, end = day_bounds(date(2026, 3, 29))
    assert end - start == timedelta(hours=23)
    start, end = day_bounds(date(2026, 10, 25))
    assert end - start == timedelta(hours=25)


def test_french_dates():
    assert french_datetime(datetime(2026, 3, 3, 8, 30, tzinfo=UTC)) == "mardi 3 mars 2026 à 09 h 30"
