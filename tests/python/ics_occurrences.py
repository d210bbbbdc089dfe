#!/usr/bin/env python3
"""Read an iCalendar file with an implementation independent of Relm (the `icalendar` package
to parse, `dateutil` to expand recurrences, `zoneinfo` for time zones) and print, as JSON, every
occurrence of its Relm calendar entries that overlaps [FROM, TO): {uid, start_utc, end_utc}.

Usage: ics_occurrences.py FILE.ics FROM TO   (FROM and TO in RFC 3339, UTC)
"""

import json
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar

UTC = timezone.utc


def zoned(prop):
    """A DTSTART/DTEND/EXDATE/RDATE value as an aware datetime in its TZID's IANA zone."""
    value = prop.dt
    tzid = prop.params.get("TZID")
    if tzid:
        return value.replace(tzinfo=ZoneInfo(str(tzid)))
    if value.tzinfo is None:
        raise SystemExit(f"floating time {value} has no zone")
    return value.astimezone(UTC)


def in_gap(t):
    """Whether a wall-clock time does not exist in its zone (a daylight-saving gap)."""
    back = t.astimezone(UTC).astimezone(t.tzinfo)
    return back.replace(tzinfo=None) != t.replace(tzinfo=None)


def main():
    path, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
    lo = datetime.fromisoformat(start.replace("Z", "+00:00"))
    hi = datetime.fromisoformat(end.replace("Z", "+00:00"))
    with open(path, "rb") as f:
        cal = Calendar.from_ical(f.read())
    out = []
    for ev in cal.walk("VEVENT"):
        if "X-RELM-KIND" not in ev:
            continue
        uid = str(ev["UID"]).removesuffix("@relm")
        first = zoned(ev["DTSTART"])
        length = zoned(ev["DTEND"]).replace(tzinfo=None) - first.replace(tzinfo=None)
        starts = [first]
        if "RRULE" in ev:
            rule = ev["RRULE"].to_ical().decode()
            horizon = hi + timedelta(days=2)
            starts = []
            for t in rrulestr(rule, dtstart=first):
                if t.astimezone(UTC) > horizon:
                    break
                starts.append(t)
        exdates = ev.get("EXDATE", [])
        exdates = exdates if isinstance(exdates, list) else [exdates]
        excluded = {x.dt.replace(tzinfo=None) for e in exdates for x in e.dts}
        starts = [t for t in starts if t.replace(tzinfo=None) not in excluded]
        rdates = ev.get("RDATE", [])
        rdates = rdates if isinstance(rdates, list) else [rdates]
        for r in rdates:
            for d in r.dts:
                starts.append(d.dt.replace(tzinfo=first.tzinfo))
        for s in starts:
            e = (s.replace(tzinfo=None) + length).replace(tzinfo=s.tzinfo)
            s_utc, e_utc = s.astimezone(UTC), e.astimezone(UTC)
            if in_gap(s):
                e_utc = max(e_utc, s_utc + length)
            if s_utc < hi and e_utc > lo:
                out.append(
                    {
                        "uid": uid,
                        "start_utc": s_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "end_utc": e_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                )
    out.sort(key=lambda o: (o["start_utc"], o["uid"]))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
