import { describe, expect, it } from "vitest";

import {
  accessChanged,
  attemptGraded,
  certificationExpired,
  certificationExpiredId,
  isoDuration,
  lessonCompleted,
  statementId,
  type Origin,
} from "@/lib/xapi/statements";

import { statementProblems } from "../helpers/lrs-stub";

const origin: Origin = { appUrl: "https://clearance.example.com", actor: "account" };
const course = { id: "incident-reporting", title: "Reporting incidents", version: "2.1.0" };
const person = { id: "6f1c1d3e-1111-4222-8333-444455556666", email: "lea@example.com" };
const at = new Date("2026-12-07T10:00:00Z");

describe("xAPI statement ids", () => {
  it("are RFC 4122 version-5 UUIDs (the RFC's DNS example)", () => {
    expect(statementId("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe(
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
  });

  it("are the same for the same event, and differ between events and between deployments", () => {
    const lesson = { slug: "what-counts", title: "What counts" };
    const a = lessonCompleted(origin, { person, course, lesson, at });
    expect(lessonCompleted(origin, { person, course, lesson, at: new Date() }).id).toBe(a.id);
    expect(lessonCompleted(origin, { person, course, lesson: { ...lesson, slug: "other" }, at }).id).not.toBe(a.id);
    expect(lessonCompleted({ ...origin, appUrl: "https://other.example" }, { person, course, lesson, at }).id).not.toBe(
      a.id,
    );
    const expired = certificationExpired(origin, { person, course, certificationId: "c1", expiresAt: at });
    expect(certificationExpiredId(origin, "c1")).toBe(expired.id);
  });
});

describe("xAPI statements", () => {
  it("name people by account unless mbox is chosen, and never by name", () => {
    const lesson = { slug: "s", title: "S" };
    expect(lessonCompleted(origin, { person, course, lesson, at }).actor).toEqual({
      objectType: "Agent",
      account: { homePage: "https://clearance.example.com/", name: person.id },
    });
    expect(lessonCompleted({ ...origin, actor: "mbox" }, { person, course, lesson, at }).actor).toEqual({
      objectType: "Agent",
      mbox: "mailto:lea@example.com",
    });
  });

  it("follow the specification's rules for every event", () => {
    const all = [
      lessonCompleted(origin, { person, course, lesson: { slug: "s", title: "S" }, at }),
      attemptGraded(origin, {
        person,
        course,
        attemptId: "0b3f1c2e-8a4d-4f6b-9c7d-1e2f3a4b5c6d",
        passed: false,
        scorePercent: 40,
        seconds: 95.5,
        at,
      }),
      attemptGraded(origin, {
        person,
        course,
        attemptId: "0b3f1c2e-8a4d-4f6b-9c7d-1e2f3a4b5c6d",
        passed: true,
        scorePercent: null,
        seconds: 0,
        at,
      }),
      certificationExpired(origin, { person, course, certificationId: "c1", expiresAt: at }),
      accessChanged(origin, {
        change: "lapsed",
        holder: person,
        decidedBy: null,
        role: { id: "customer-pii-read", name: "Read customer personal data" },
        grantId: "g1",
        key: at.toISOString(),
        at,
      }),
    ];
    for (const statement of all) expect(statementProblems(JSON.parse(JSON.stringify(statement)))).toEqual([]);
    expect(all[1].result).toMatchObject({ success: false, score: { scaled: 0.4, raw: 40 }, duration: "PT1M35.5S" });
    expect(all[2].result).not.toHaveProperty("score");
    expect(all[4].context).not.toHaveProperty("platform");
  });

  it("write durations as ISO 8601", () => {
    expect(isoDuration(0)).toBe("PT0S");
    expect(isoDuration(59.994)).toBe("PT59.99S");
    expect(isoDuration(3600)).toBe("PT1H");
    expect(isoDuration(3723)).toBe("PT1H2M3S");
    expect(isoDuration(-5)).toBe("PT0S");
  });
});
