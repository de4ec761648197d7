import { describe, expect, it } from "vitest";

import { overviewTable, percent, trendDates } from "@/lib/reports/overview.rules";
import { DAY } from "@/lib/time";

import {
  buildOverview,
  complianceTrend,
  inPost,
  validAt,
  type OverviewCertification,
  type OverviewFacts,
  type OverviewPerson,
} from "../model/overview-reference";

const NOW = new Date("2026-11-29T15:00:00Z");
const d = (iso: string) => new Date(iso);

function person(id: string, overrides: Partial<OverviewPerson> = {}): OverviewPerson {
  return {
    id,
    departmentId: "support",
    departmentName: "Customer Support",
    roles: ["employee"],
    status: "active",
    hireDate: "2024-01-01",
    createdAt: d("2024-01-01T00:00:00Z"),
    departedAt: null,
    email: `${id}@example.test`,
    grants: [],
    ...overrides,
  };
}

function cert(
  personId: string,
  courseId: string,
  issued: string,
  expires: string,
  courseVersion = "1.0.0",
): OverviewCertification {
  return { personId, courseId, courseVersion, issuedAt: d(issued), expiresAt: d(expires) };
}

const everyone = { id: "law", title: "Law", version: "1.0.0", graceDays: 30, assignTo: { everyone: true as const } };
const engineering = {
  id: "backups",
  title: "Backups",
  version: "1.0.0",
  graceDays: 30,
  assignTo: { departments: ["engineering" as const] },
};
const released = (courseId: string, at = "2025-01-01T00:00:00Z", major = 1) => ({ courseId, major, releasedAt: d(at) });

function facts(overrides: Partial<OverviewFacts>): OverviewFacts {
  return {
    people: [],
    courses: [everyone],
    releases: [released("law")],
    certifications: [],
    assignments: [],
    agreements: [],
    signatures: [],
    ...overrides,
  };
}

describe("who counts", () => {
  it.each([
    ["active, hired before", person("a"), true],
    ["not started yet", person("a", { hireDate: "2026-12-15" }), false],
    [
      "no hire date: from when the record was made",
      person("a", { hireDate: null, createdAt: d("2026-11-01T00:00:00Z") }),
      true,
    ],
    ["suspended", person("a", { status: "suspended" }), false],
    ["departed", person("a", { status: "departed", departedAt: d("2026-10-01T00:00:00Z") }), false],
  ])("%s", (_, p, expected) => expect(inPost(p, NOW)).toBe(expected));

  it("counts a departed person up to the day they left", () => {
    const p = person("a", { status: "departed", departedAt: d("2026-06-15T00:00:00Z") });
    expect(inPost(p, d("2026-05-31T23:59:59Z"))).toBe(true);
    expect(inPost(p, d("2026-06-30T23:59:59Z"))).toBe(false);
  });
});

describe("validAt", () => {
  const c = cert("a", "law", "2026-01-10T00:00:00Z", "2027-01-10T00:00:00Z");
  it("holds from issue to expiry", () => {
    expect(validAt(c, everyone, [released("law")], d("2026-01-09T23:59:59Z"))).toBe(false);
    expect(validAt(c, everyone, [released("law")], d("2026-01-10T00:00:00Z"))).toBe(true);
    expect(validAt(c, everyone, [released("law")], d("2027-01-10T00:00:00Z"))).toBe(false);
  });
  it("stops after a new major version's grace period", () => {
    const releases = [released("law"), released("law", "2026-09-01T00:00:00Z", 2)];
    const v2 = { ...everyone, version: "2.0.0" };
    expect(validAt(c, v2, releases, d("2026-09-30T00:00:00Z"))).toBe(true);
    expect(validAt(c, v2, releases, d("2026-10-01T00:00:00Z"))).toBe(false);
    // Before the new major existed, the old certification was fine.
    expect(validAt(c, v2, releases, d("2026-08-31T23:59:59Z"))).toBe(true);
  });
});

describe("trendDates", () => {
  it("gives eleven month ends and now", () => {
    const dates = trendDates(NOW).map((x) => x.toISOString());
    expect(dates).toHaveLength(12);
    expect(dates[0]).toBe("2025-12-31T23:59:59.999Z");
    expect(dates[1]).toBe("2026-01-31T23:59:59.999Z");
    expect(dates[2]).toBe("2026-02-28T23:59:59.999Z");
    expect(dates[10]).toBe("2026-10-31T23:59:59.999Z");
    expect(dates[11]).toBe(NOW.toISOString());
  });
});

describe("complianceTrend", () => {
  it("follows certifications, hires and departures month by month", () => {
    const trend = complianceTrend(
      facts({
        people: [
          // Certified from March to the end of August, then renewed from October.
          person("ana"),
          // Joins in June; certified in July.
          person("ben", { hireDate: "2026-06-10" }),
          // Left at the end of April: counts only until then, never certified.
          person("cy", { status: "departed", departedAt: d("2026-04-30T12:00:00Z") }),
          person("sus", { status: "suspended" }),
        ],
        certifications: [
          cert("ana", "law", "2026-03-05T00:00:00Z", "2026-09-01T00:00:00Z"),
          cert("ana", "law", "2026-10-20T00:00:00Z", "2027-10-20T00:00:00Z"),
          cert("ben", "law", "2026-07-01T00:00:00Z", "2027-07-01T00:00:00Z"),
          cert("sus", "law", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
        ],
      }),
      NOW,
    );
    const byMonth = Object.fromEntries(
      trend.map((t) => [t.at.toISOString().slice(0, 7), [t.complete, t.required, t.rate]]),
    );
    expect(byMonth).toEqual({
      "2025-12": [0, 2, 0],
      "2026-01": [0, 2, 0],
      "2026-02": [0, 2, 0],
      "2026-03": [1, 2, 50],
      "2026-04": [1, 1, 100],
      "2026-05": [1, 1, 100],
      "2026-06": [1, 2, 50],
      "2026-07": [2, 2, 100],
      "2026-08": [2, 2, 100],
      "2026-09": [1, 2, 50],
      "2026-10": [2, 2, 100],
      "2026-11": [2, 2, 100],
    });
    expect(trend[0].label).toBe("Dec 2025");
  });

  it("counts a course only from when it was first released here", () => {
    const trend = complianceTrend(
      facts({ people: [person("ana")], releases: [released("law", "2026-10-15T00:00:00Z")] }),
      NOW,
    );
    expect(trend.map((t) => t.required)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(trend[0].rate).toBeNull();
  });
});

describe("buildOverview", () => {
  const overview = buildOverview(
    facts({
      people: [
        person("ana"),
        person("eng", { departmentId: "engineering", departmentName: "Engineering" }),
        person("nod", { departmentId: null, departmentName: null }),
        person("gone", { status: "departed", departedAt: d("2026-11-01T00:00:00Z") }),
      ],
      courses: [everyone, engineering],
      releases: [released("law"), released("backups")],
      certifications: [
        cert("ana", "law", "2026-01-01T00:00:00Z", new Date(NOW.getTime() + 20 * DAY).toISOString()),
        cert("eng", "law", "2026-01-01T00:00:00Z", new Date(NOW.getTime() + 75 * DAY).toISOString()),
        cert("eng", "backups", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        cert("gone", "law", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
      ],
      assignments: [
        { personId: "eng", courseId: "backups", dueAt: d("2026-11-01T00:00:00Z") },
        { personId: "nod", courseId: "law", dueAt: d("2026-12-20T00:00:00Z") },
        { personId: "gone", courseId: "backups", dueAt: d("2026-01-01T00:00:00Z") },
      ],
      agreements: [{ id: "nda", title: "NDA", version: "2.0.0", signers: { everyone: true } }],
      signatures: [
        {
          personId: "ana",
          agreementId: "nda",
          agreementVersion: "2.0.0",
          signedAt: d("2026-02-01T00:00:00Z"),
          renewalDueAt: null,
          outcome: "signed",
        },
        {
          personId: "eng",
          agreementId: "nda",
          agreementVersion: "1.0.0",
          signedAt: d("2025-02-01T00:00:00Z"),
          renewalDueAt: null,
          outcome: "signed",
        },
        {
          personId: "nod",
          agreementId: "nda",
          agreementVersion: "2.0.0",
          signedAt: d("2026-02-01T00:00:00Z"),
          renewalDueAt: null,
          outcome: "declined",
        },
        {
          personId: "gone",
          agreementId: "nda",
          agreementVersion: "2.0.0",
          signedAt: d("2026-02-01T00:00:00Z"),
          renewalDueAt: null,
          outcome: "signed",
        },
      ],
    }),
    NOW,
  );

  it("rates each course over the people in post, leaving the departed out", () => {
    expect(overview.courses).toEqual([
      {
        courseId: "law",
        title: "Law",
        required: 3,
        complete: 2,
        rate: 66.7,
        overdue: 0,
        expiring: { 30: 1, 60: 1, 90: 2 },
      },
      {
        courseId: "backups",
        title: "Backups",
        required: 1,
        complete: 0,
        rate: 0,
        overdue: 1,
        expiring: { 30: 0, 60: 0, 90: 0 },
      },
    ]);
    expect(overview).toMatchObject({
      people: 3,
      required: 4,
      complete: 2,
      rate: 50,
      overdue: 1,
      overduePeople: 1,
      expiring: { 30: 1, 60: 1, 90: 2 },
    });
  });

  it("rates each department, with people without one last", () => {
    expect(overview.departments).toEqual(
      [
        {
          departmentId: "support",
          name: "Customer Support",
          people: 1,
          required: 1,
          complete: 1,
          rate: 100,
          overdue: 0,
        },
        { departmentId: "engineering", name: "Engineering", people: 1, required: 2, complete: 1, rate: 50, overdue: 1 },
        { departmentId: null, name: "No department", people: 1, required: 1, complete: 0, rate: 0, overdue: 0 },
      ].sort((a, b) => (a.departmentId === null ? 1 : b.departmentId === null ? -1 : a.name.localeCompare(b.name))),
    );
  });

  it("covers agreements: signed at the current major counts, a decline or an old major does not", () => {
    expect(overview.agreements).toEqual([
      { agreementId: "nda", title: "NDA", required: 3, signed: 1, rate: 33.3, toSign: 1, renewalDue: 1 },
    ]);
  });

  it("ends the trend on today's rate", () => {
    expect(overview.trend.at(-1)).toMatchObject({
      required: overview.required,
      complete: overview.complete,
      rate: overview.rate,
    });
  });

  it("exports the same numbers as one table", () => {
    const table = overviewTable(overview);
    expect(table[0].slice(0, 6)).toEqual(["Section", "Item", "People", "Required", "Complete", "Rate %"]);
    expect(table[1].slice(0, 7)).toEqual(["Organisation", "All required courses", 3, 4, 2, "50.0", 1]);
    expect(table.find((r) => r[1] === "Law")).toEqual(["Course", "Law", 3, 3, 2, "66.7", 0, 1, 1, 2, "", ""]);
    expect(table.filter((r) => r[0] === "Trend")).toHaveLength(12);
  });

  it("reads null rates as no data", () => {
    expect(percent(0, 0)).toBeNull();
    expect(percent(1, 3)).toBe(33.3);
  });
});
