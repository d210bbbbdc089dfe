#!/usr/bin/env python3
"""The independent reader Relm's calendar import is measured against.

For each iCalendar file named on standard input (one path per line), print one JSON line:
  {"file": PATH, "from": RFC3339, "to": RFC3339, "occurrences": [[START, END], ...]}
or, when this reader cannot read or expand the file,
  {"file": PATH, "refused": "why"}
or, when the file holds no VEVENT at all,
  {"file": PATH, "events": 0}

Parsing is `icalendar`'s, expansion `recurring_ical_events`' (RRULEs, RDATE and its PERIOD
values, EXDATE, RECURRENCE-ID overrides with RANGE=THISANDFUTURE, X-WR-TIMEZONE), zones are
`zoneinfo`'s. The range is ten years from the day before the file's earliest DTSTART.
Times are UTC (`Z`). Floating times and dates are read in the zone given as the first
argument (as `relm calendar import --tz` does), or in the file's X-WR-TIMEZONE.

Two readings are Relm's own choices, made here too so that the comparison measures the rest:
- a cancelled VEVENT (STATUS:CANCELLED), and so a cancelled occurrence, is no occurrence
  (`recurring_ical_events` lists it; a cancelled freeze freezes nothing);
- an all-day event whose DTEND equals its DTSTART lasts one day (what calendar clients show).
"""

import json
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

UTC = timezone.utc
YEARS = 10


def instant(value, floating):
    """A DATE or DATE-TIME as an aware UTC datetime (dates at midnight in `floating`)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=floating)
    return value.astimezone(UTC)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def read(path, default_zone):
    # icalendar keeps the zones a file defines for the rest of the process: start afresh so
    # that one file's VTIMEZONE does not decide how the next file reads.
    icalendar.use_zoneinfo()
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    floating = default_zone
    if "X-WR-TIMEZONE" in cal:
        floating = ZoneInfo(str(cal["X-WR-TIMEZONE"]))
    events = cal.walk("VEVENT")
    if not events:
        return {"events": 0}
    first = min(instant(ev["DTSTART"].dt, floating) for ev in events)
    lo = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=1)
    hi = lo.replace(year=lo.year + YEARS)
    out = []
    for occ in recurring_ical_events.of(cal).between(lo, hi):
        if str(occ.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start, end = occ["DTSTART"].dt, occ["DTEND"].dt
        if not isinstance(start, datetime) and start == end:
            end = start + timedelta(days=1)
        out.append([stamp(instant(start, floating)), stamp(instant(end, floating))])
    out.sort()
    return {"from": stamp(lo), "to": stamp(hi), "occurrences": out}


def main():
    default_zone = ZoneInfo(sys.argv[1] if len(sys.argv) > 1 else "UTC")
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        try:
            result = read(path, default_zone)
        except Exception as e:  # noqa: BLE001 - any failure is this reader's refusal
            result = {"refused": f"{type(e).__name__}: {e}"}
        result["file"] = path
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
