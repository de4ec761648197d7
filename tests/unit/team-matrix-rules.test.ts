import { describe, expect, it } from "vitest";

import { fileUnder } from "@/lib/by-person";
import { certificationStatus } from "@/lib/certification/status.rules";
import {
  buildRows,
  cellFor,
  cellText,
  itemKey,
  nudgeableItems,
  nudgedLabel,
  type CellFacts,
  type CellStatus,
  type MatrixFacts,
  type MatrixItem,
  type ReportPerson,
} from "@/lib/team/matrix.rules";
import { parseTeamFilters, tableOf, teamTable, viewTeam } from "@/lib/team/view";
import { DAY } from "@/lib/time";

const now = new Date("2026-11-29T12:00:00Z");
const at = (days: number, ms = 0) => new Date(now.getTime() + days * DAY + ms);
const assigned = (dueInDays: number, ms = 0) => ({ dueAt: at(dueInDays, ms) });
const cert = (status: "current" | "expiring" | "expired" | "superseded", expiresInDays = 100) => ({
  status,
  expiresAt: at(expiresInDays),
});

describe("cell status", () => {
  const cases: [string, CellFacts, CellStatus, number | null][] = [
    [
      "nothing assigned, never certified",
      { assignment: null, certification: null, percent: 0 },
      "not_applicable",
      null,
    ],
    ["due exactly now is overdue", { assignment: assigned(0), certification: null, percent: 0 }, "overdue", null],
    ["overdue by a day", { assignment: assigned(-1), certification: null, percent: 40 }, "overdue", null],
    [
      "overdue wins over an expiring certification",
      { assignment: assigned(-1), certification: cert("expiring", 10), percent: 0 },
      "overdue",
      null,
    ],
    [
      "due in 1 ms, nothing read: due soon",
      { assignment: assigned(0, 1), certification: null, percent: 0 },
      "due",
      null,
    ],
    ["due in exactly 7 days: due soon", { assignment: assigned(7), certification: null, percent: 0 }, "due", null],
    [
      "due in 7 days and 1 ms: not started",
      { assignment: assigned(7, 1), certification: null, percent: 0 },
      "not_started",
      null,
    ],
    [
      "one lesson read: in progress with %",
      { assignment: assigned(20), certification: null, percent: 20 },
      "in_progress",
      20,
    ],
    [
      "in progress rounds and caps",
      { assignment: assigned(2), certification: null, percent: 66.666 },
      "in_progress",
      67,
    ],
    [
      "expiring certification with its renewal open",
      { assignment: assigned(20), certification: cert("expiring", 20), percent: 60 },
      "expiring",
      null,
    ],
    [
      "expiring certification without a renewal",
      { assignment: null, certification: cert("expiring", 5), percent: 0 },
      "expiring",
      null,
    ],
    ["current certification", { assignment: null, certification: cert("current"), percent: 100 }, "current", null],
    [
      "current certification with a new major version assigned",
      { assignment: assigned(30), certification: cert("current"), percent: 0 },
      "not_started",
      null,
    ],
    [
      "expired certification, no longer assigned",
      { assignment: null, certification: cert("expired", -3), percent: 0 },
      "expired",
      null,
    ],
    [
      "superseded certification, no longer assigned",
      { assignment: null, certification: cert("superseded"), percent: 0 },
      "expired",
      null,
    ],
  ];
  it.each(cases)("%s", (_name, facts, status, percent) => {
    const cell = cellFor(facts, now);
    expect(cell.status).toBe(status);
    expect(cell.percent).toBe(percent);
    expect(cell.assigned).toBe(facts.assignment !== null);
  });

  it("follows the certification's 30-day warning window to the millisecond", () => {
    const course = { version: "1.0.0", graceDays: 30 };
    const statusAt = (expiresAt: Date) =>
      cellFor(
        {
          assignment: null,
          certification: {
            status: certificationStatus({
              certification: { courseVersion: "1.0.0", expiresAt },
              course,
              currentMajorReleasedAt: null,
              now,
            }),
            expiresAt,
          },
          percent: 0,
        },
        now,
      ).status;
    expect(statusAt(at(30, 1))).toBe("current");
    expect(statusAt(at(30))).toBe("expiring");
    expect(statusAt(at(0, 1))).toBe("expiring");
    expect(statusAt(at(0))).toBe("expired");
  });

  it("writes each status in words with its date", () => {
    expect(cellText(cellFor({ assignment: assigned(-3), certification: null, percent: 0 }, now))).toBe(
      "Overdue (due 26 Nov 2026)",
    );
    expect(cellText(cellFor({ assignment: assigned(10), certification: null, percent: 40 }, now))).toBe(
      "In progress 40% (due 9 Dec 2026)",
    );
    expect(cellText(cellFor({ assignment: null, certification: cert("current", 40), percent: 0 }, now))).toBe(
      "Current (until 8 Jan 2027)",
    );
    expect(cellText(cellFor({ assignment: null, certification: null, percent: 0 }, now))).toBe("—");
  });
});

const items: MatrixItem[] = [
  { kind: "course", id: "law", title: "Law" },
  { kind: "course", id: "mfa", title: "MFA" },
  { kind: "course", id: "nobody", title: "Nobody takes this" },
  { kind: "agreement", id: "nda", title: "NDA" },
];
const person = (id: string, name: string, departmentId: string, departmentName: string): ReportPerson => ({
  id,
  name,
  email: `${id}@example.test`,
  departmentId,
  departmentName,
  title: null,
});
const persons = [
  person("ana", "Ana Silva", "support", "Customer Support"),
  person("jose", "José Ñúñez", "support", "Customer Support"),
  person("ravi", "Aaron Patel", "engineering", "Engineering"),
  person("zoe", "Zoë Adams", "engineering", "Engineering"),
];

function facts(): MatrixFacts {
  const f: MatrixFacts = {
    assignments: new Map(),
    certifications: new Map(),
    percents: new Map(),
    lastNudges: new Map(),
  };
  const k = (kind: "course" | "agreement", id: string) => itemKey({ kind, id });
  fileUnder(f.assignments, "ana", k("course", "law"), assigned(-2)); // overdue 2 days
  fileUnder(f.assignments, "ana", k("course", "mfa"), assigned(20));
  fileUnder(f.percents, "ana", k("course", "mfa"), 50);
  fileUnder(f.assignments, "jose", k("course", "law"), assigned(-10)); // overdue 10 days
  fileUnder(f.certifications, "jose", k("course", "mfa"), cert("expiring", 12));
  fileUnder(f.certifications, "ravi", k("course", "law"), cert("current"));
  fileUnder(f.assignments, "ravi", k("agreement", "nda"), assigned(3));
  fileUnder(f.certifications, "zoe", k("course", "law"), cert("current"));
  f.lastNudges.set("ana", new Date("2026-11-29T09:12:00Z"));
  return f;
}

const rows = buildRows(persons, items, facts(), now);
const view = (params: Record<string, string>, pageSize?: number) =>
  viewTeam(rows, items, parseTeamFilters(params), now, pageSize);

describe("filters, sorting, paging and summary", () => {
  it("shows only items that apply to someone, in content order", () => {
    expect(view({}).visibleItems.map((i) => i.id)).toEqual(["law", "mfa", "nda"]);
  });

  it("sorts by name by default, by department, and by most overdue", () => {
    expect(view({}).rows.map((r) => r.person.id)).toEqual(["ravi", "ana", "jose", "zoe"]);
    expect(view({ sort: "department" }).rows.map((r) => r.person.id)).toEqual(["ana", "jose", "ravi", "zoe"]);
    expect(view({ sort: "overdue" }).rows.map((r) => r.person.id)).toEqual(["jose", "ana", "ravi", "zoe"]);
  });

  it("filters by status, department, item and an accent-insensitive search", () => {
    expect(view({ status: "overdue" }).matching.map((r) => r.person.id)).toEqual(["ana", "jose"]);
    expect(view({ department: "engineering" }).matching.map((r) => r.person.id)).toEqual(["ravi", "zoe"]);
    expect(view({ q: "jose nunez" }).matching.map((r) => r.person.id)).toEqual(["jose"]);
    expect(view({ q: "RAVI@EXAMPLE" }).matching.map((r) => r.person.id)).toEqual(["ravi"]);
    const nda = view({ item: "agreement:nda" });
    expect(nda.visibleItems.map((i) => i.id)).toEqual(["nda"]);
    expect(nda.matching.map((r) => r.person.id)).toEqual(["ravi"]);
    // Status and item together: the status of that item only.
    expect(view({ item: "course:mfa", status: "overdue" }).matching).toEqual([]);
    expect(view({ item: "course:mfa", status: "expiring" }).matching.map((r) => r.person.id)).toEqual(["jose"]);
  });

  it("ignores unknown or malformed parameters instead of failing", () => {
    const v = view({ status: "bogus", sort: "nope", page: "-4", item: "course:missing" });
    expect(v.filters).toMatchObject({ status: undefined, sort: "name", page: 1, item: undefined });
    expect(v.matching).toHaveLength(4);
    expect(v.visibleItems).toHaveLength(3);
  });

  it("pages 50 at a time by default and clamps the page", () => {
    const many = buildRows(
      Array.from({ length: 120 }, (_, i) =>
        person(`p${String(i).padStart(3, "0")}`, `Person ${String(i).padStart(3, "0")}`, "support", "Customer Support"),
      ),
      items,
      facts(),
      now,
    );
    const last = viewTeam(many, items, parseTeamFilters({ page: "9" }), now);
    expect(last.page).toBe(3);
    expect(last.pageCount).toBe(3);
    expect(last.rows).toHaveLength(20);
    expect(last.rows[0].person.name).toBe("Person 100");
    expect(viewTeam(many, items, parseTeamFilters({}), now).rows).toHaveLength(50);
  });

  it("summarises the rows that match: overdue, expiring and completion", () => {
    // Cells: ana law overdue, mfa in progress; jose law overdue, mfa expiring; ravi law current, nda due; zoe law current.
    expect(view({}).summary).toEqual({
      people: 4,
      overdueItems: 2,
      overduePeople: 2,
      expiringItems: 1,
      // Courses and agreements are separate figures: 3 of 6 courses certified, 0 of 1 agreement signed.
      training: { required: 6, complete: 3, rate: 50 },
      agreements: { required: 1, complete: 0, rate: 0 },
    });
    expect(view({ department: "engineering" }).summary).toMatchObject({
      people: 2,
      overdueItems: 0,
      training: { required: 2, complete: 2, rate: 100 },
      agreements: { required: 1, complete: 0, rate: 0 },
    });
  });

  it("exports exactly the shown columns and every matching row", () => {
    const table = teamTable(view({ status: "overdue" }, 1));
    expect(table[0]).toEqual([
      "Name",
      "Email",
      "Department",
      ...["Law", "MFA", "NDA"].flatMap((t) => [`${t}: status`, `${t}: due`, `${t}: valid until`]),
    ]);
    expect(table.slice(1).map((r) => r[0])).toEqual(["Ana Silva", "José Ñúñez"]);
    expect(table[1].slice(3)).toEqual(["Overdue", "2026-11-27", "", "In progress 50%", "2026-12-19", "", "—", "", ""]);
    expect(table[2].slice(6, 9)).toEqual(["Expiring", "", expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)]);
    expect(teamTable(view({ item: "course:law" }))[0]).toEqual([
      "Name",
      "Email",
      "Department",
      "Law: status",
      "Law: due",
      "Law: valid until",
    ]);
  });

  it("nudges open assignments only, or only overdue ones", () => {
    const ana = rows.find((r) => r.person.id === "ana")!;
    expect(nudgeableItems(ana, items).map((x) => x.item.id)).toEqual(["law", "mfa"]);
    expect(nudgeableItems(ana, items, { onlyOverdue: true }).map((x) => x.item.id)).toEqual(["law"]);
    const zoe = rows.find((r) => r.person.id === "zoe")!;
    expect(nudgeableItems(zoe, items)).toEqual([]);
  });

  it("sends the browser the shown columns and the page's rows in words, with the CSV's statuses", () => {
    const v = view({ status: "overdue" });
    const { columns, rows: shown } = tableOf(v, now);
    expect(columns).toEqual([
      { key: "course:law", title: "Law", anchor: "course-law" },
      { key: "course:mfa", title: "MFA", anchor: "course-mfa" },
      { key: "agreement:nda", title: "NDA", anchor: "agreement-nda" },
    ]);
    const ana = shown.find((r) => r.id === "ana")!;
    expect(ana).toMatchObject({
      name: "Ana Silva",
      email: "ana@example.test",
      department: "Customer Support",
      canNudge: true,
      nudged: "Nudged today at 09:12 UTC",
    });
    expect(ana.cells).toEqual([
      { status: "overdue", label: "Overdue", detail: "due 27 Nov 2026" },
      { status: "in_progress", label: "In progress 50%", detail: "due 19 Dec 2026" },
      { status: "not_applicable", label: "—", detail: null },
    ]);
    // The same status words as the CSV row, whose dates have columns of their own.
    const csvRow = teamTable(v)
      .find((r) => r[0] === "Ana Silva")!
      .slice(3);
    expect(ana.cells.map((c) => c.label)).toEqual(csvRow.filter((_, i) => i % 3 === 0));
    const zoe = tableOf(view({ q: "zoe" }), now).rows[0];
    expect(zoe).toMatchObject({ canNudge: false, nudged: null });
  });

  it("says when the last nudge went, in UTC", () => {
    expect(nudgedLabel(null, now)).toBeNull();
    expect(nudgedLabel(new Date("2026-11-29T09:12:00Z"), now)).toBe("Nudged today at 09:12 UTC");
    expect(nudgedLabel(new Date("2026-11-29T00:00:00Z"), new Date("2026-11-29T23:59:59Z"))).toBe(
      "Nudged today at 00:00 UTC",
    );
    expect(nudgedLabel(new Date("2026-11-28T23:59:00Z"), new Date("2026-11-29T00:00:00Z"))).toBe(
      "Last nudged 28 Nov 2026",
    );
  });
});
