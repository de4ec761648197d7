import { describe, expect, it } from "vitest";

import { calendarFile, escapeText, foldLine, type DueEvent } from "@/lib/calendar/ics";

const now = new Date("2026-12-06T10:15:30Z");
const event: DueEvent = {
  uid: "course-gdpr-essentials-0123456789abcdef0123@clearance.example.com",
  date: new Date("2026-12-27T23:59:00Z"),
  summary: "Due: GDPR Essentials for Support",
  url: "https://clearance.example.com/courses/gdpr-essentials",
};
const unfold = (ics: string) => ics.replace(/\r\n /g, "");
const octets = (line: string) => Buffer.byteLength(line, "utf8");

describe("iCalendar files", () => {
  it("is one VCALENDAR with an all-day VEVENT, CRLF line endings and no bare LF", () => {
    const ics = calendarFile([event], now);
    expect(ics.endsWith("\r\n")).toBe(true);
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    const lines = unfold(ics).split("\r\n").filter(Boolean);
    expect(lines[0]).toBe("BEGIN:VCALENDAR");
    expect(lines.at(-1)).toBe("END:VCALENDAR");
    expect(lines).toContain("VERSION:2.0");
    expect(lines.find((l) => l.startsWith("PRODID:"))).toBeDefined();
    expect(lines).toEqual(
      expect.arrayContaining([
        "BEGIN:VEVENT",
        `UID:${event.uid}`,
        "DTSTAMP:20261206T101530Z",
        "DTSTART;VALUE=DATE:20261227",
        "DTEND;VALUE=DATE:20261228",
        "SUMMARY:Due: GDPR Essentials for Support",
        `URL:${event.url}`,
        "END:VEVENT",
      ]),
    );
  });

  it("keeps the UID whenever the file is made again", () => {
    const uidOf = (ics: string) => unfold(ics).match(/^UID:(.*)$/m)![1];
    expect(uidOf(calendarFile([event], now))).toBe(uidOf(calendarFile([event], new Date("2027-01-01T00:00:00Z"))));
  });

  it("ends the all-day event on the next day across a month and a year", () => {
    const ics = calendarFile([{ ...event, date: new Date("2026-12-31T12:00:00Z") }], now);
    expect(ics).toContain("DTSTART;VALUE=DATE:20261231\r\n");
    expect(ics).toContain("DTEND;VALUE=DATE:20270101\r\n");
  });

  it.each([
    ["a, b; c", "a\\, b\\; c"],
    ["back\\slash", "back\\\\slash"],
    ["two\nlines\r\nand\rthree", "two\\nlines\\nand\\nthree"],
    ["plain: colon stays", "plain: colon stays"],
  ])("escapes %j as %j", (raw, escaped) => {
    expect(escapeText(raw)).toBe(escaped);
  });

  it("escapes a summary that tries to add its own properties", () => {
    const ics = calendarFile([{ ...event, summary: "x\r\nATTENDEE:mailto:evil@example.com" }], now);
    const lines = unfold(ics).split("\r\n");
    expect(lines.some((l) => l.startsWith("ATTENDEE"))).toBe(false);
    expect(lines).toContain("SUMMARY:x\\nATTENDEE:mailto:evil@example.com");
  });

  it("folds long lines at 75 octets without splitting a character", () => {
    const summary = `Due: ${"Datenschutz-Grundverordnung für Kundendienst — Übersicht ".repeat(4)}`;
    const ics = calendarFile([{ ...event, summary, description: "é".repeat(100) }], now);
    for (const line of ics.split("\r\n")) expect(octets(line)).toBeLessThanOrEqual(75);
    expect(unfold(ics)).toContain(`SUMMARY:${escapeText(summary)}`);
    expect(unfold(ics)).toContain(`DESCRIPTION:${"é".repeat(100)}`);
    // No replacement characters: every fold fell between whole characters.
    expect(ics).not.toContain("\uFFFD");
  });

  it("leaves short lines alone and folds exactly past 75", () => {
    expect(foldLine("a".repeat(75))).toBe("a".repeat(75));
    expect(foldLine("a".repeat(76))).toBe(`${"a".repeat(75)}\r\n a`);
    expect(foldLine("a".repeat(75 + 74 + 1))).toBe(`${"a".repeat(75)}\r\n ${"a".repeat(74)}\r\n a`);
    // A 2-octet character that would straddle the limit moves to the next line whole.
    expect(foldLine(`${"a".repeat(74)}é`)).toBe(`${"a".repeat(74)}\r\n é`);
  });
});
