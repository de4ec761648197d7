/**
 * iCalendar (RFC 5545) files for due dates: one all-day event per item.
 * Pure: the caller passes `now` for DTSTAMP.
 */

import { addDays } from "@/lib/time";

export type DueEvent = {
  /** Stable across downloads, so a calendar updates the event instead of adding a second one. */
  uid: string;
  /** The due day (its UTC date is used). */
  date: Date;
  summary: string;
  description?: string;
  /** An absolute link back into the app. */
  url: string;
};

const CRLF = "\r\n";
const MAX_OCTETS = 75;

/** TEXT values (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks as \n. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

/**
 * Folds a content line at 75 octets (§3.1): CRLF and one space before each
 * continuation, never splitting a UTF-8 character.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, "utf8");
    // Continuation lines start with a space, which counts towards their 75.
    const limit = parts.length === 0 ? MAX_OCTETS : MAX_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

const pad = (n: number) => String(n).padStart(2, "0");
const dateValue = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
const dateTimeValue = (d: Date) =>
  `${dateValue(d)}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;

/** A VCALENDAR with one all-day VEVENT per due item; CRLF line endings, folded lines. */
export function calendarFile(events: DueEvent[], now: Date): string {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Clearance//Due dates//EN", "CALSCALE:GREGORIAN"];
  lines.push("METHOD:PUBLISH");
  for (const e of events) {
    const day = new Date(Date.UTC(e.date.getUTCFullYear(), e.date.getUTCMonth(), e.date.getUTCDate()));
    const next = addDays(day, 1);
    lines.push(
      "BEGIN:VEVENT",
      `UID:${escapeText(e.uid)}`,
      `DTSTAMP:${dateTimeValue(now)}`,
      `DTSTART;VALUE=DATE:${dateValue(day)}`,
      `DTEND;VALUE=DATE:${dateValue(next)}`,
      `SUMMARY:${escapeText(e.summary)}`,
      ...(e.description ? [`DESCRIPTION:${escapeText(e.description)}`] : []),
      // URL is a URI value, not TEXT: it is not escaped.
      `URL:${e.url}`,
      "TRANSP:TRANSPARENT",
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** The HTTP answer for a calendar file: a download, never cached by shared caches. */
export function calendarResponse(events: DueEvent[], filename: string, now: Date): Response {
  return new Response(calendarFile(events, now), {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename.replace(/[^a-z0-9._-]/gi, "-")}.ics"`,
      "Cache-Control": "private, no-store",
    },
  });
}
