"""The .ics calendar file a member going to an event adds to their calendar (RFC 5545)."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.activity import Event


def ics(event: Event, now: datetime) -> str:
    """An iCalendar file for one event (RFC 5545), times in UTC."""

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//partybot//events//ZH",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:event-{event.id}-{event.branch_id}@partybot",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(event.starts_at)}",
        f"DTEND:{stamp(event.ends_at)}",
        f"SUMMARY:{escape(event.title)}",
        f"LOCATION:{escape(event.place)}",
    ]
    if event.has_location:
        lines.append(f"GEO:{event.latitude:.6f};{event.longitude:.6f}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def _fold(line: str, limit: int = 75) -> str:
    """RFC 5545 lines are at most 75 octets; longer ones continue after CRLF and a space."""
    parts, current = [], ""
    for ch in line:
        if len((current + ch).encode()) > limit:
            parts.append(current)
            current = " "
        current += ch
    return "\r\n".join([*parts, current])
