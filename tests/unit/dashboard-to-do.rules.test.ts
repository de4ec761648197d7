import { describe, expect, it } from "vitest";

import type { RoleView } from "@/lib/access/my-access";
import type { AgreementItem } from "@/lib/agreements/employee-agreements";
import { buildToDo, nextDue } from "@/lib/dashboard/to-do.rules";
import { addDays } from "@/lib/time";
import type { LearnerCourse } from "@/lib/training/learner-overview";

const now = new Date("2026-12-06T12:00:00Z");

const course = (id: string, dueInDays: number | null, extra: Partial<LearnerCourse> = {}) =>
  ({
    course: { id, title: id.toUpperCase() },
    state: dueInDays !== null && dueInDays <= 0 ? "overdue" : "not_started",
    dueAt: dueInDays === null ? null : addDays(now, dueInDays),
    certification: null,
    ...extra,
  }) as unknown as LearnerCourse;

const agreement = (id: string, standing: AgreementItem["standing"], renewalDueAt: Date | null = null) =>
  ({
    template: { id, title: id.toUpperCase() },
    standing,
    signed: renewalDueAt ? { renewalDueAt } : null,
  }) as unknown as AgreementItem;

const role = (name: string, state: RoleView["state"], missing: string[], validUntil: Date | null = null) =>
  ({
    role: { id: name.toLowerCase(), name },
    state,
    decision: { allow: state === "held", reasons: [], valid_until: validUntil },
    missing: missing.map((href) => ({ reason: "x", text: `Do ${href}`, href })),
  }) as unknown as RoleView;

describe("the to-do list", () => {
  it("orders overdue, due soon, then the rest, and ties what a role needs to the item that provides it", () => {
    const items = buildToDo(
      {
        courses: [course("later", 40), course("soon", 3), course("late", -2), course("optional", null)],
        agreements: [agreement("nda", "to_sign"), agreement("aup", "signed")],
        roles: [
          role("Read", "requested", ["/agreements/nda"]),
          role("Export", "blocked", ["/courses/extra", "/agreements/nda"]),
          role("Remote", "held", [], addDays(now, 10)),
        ],
      },
      now,
    );
    expect(items.map((i) => [i.href, i.urgency])).toEqual([
      // Blocking a role already granted comes first among the overdue (then by date, then by title).
      ["/courses/extra", "overdue"],
      ["/agreements/nda", "overdue"],
      ["/courses/late", "overdue"],
      ["/courses/soon", "soon"],
      ["/access#role-remote", "later"],
      ["/courses/later", "later"],
    ]);
    expect(items[0]).toMatchObject({ title: "Do /courses/extra", unlocks: ["Export"], kind: "course" });
    expect(items[1]).toMatchObject({ unlocks: ["Read", "Export"], blocksGranted: true, kind: "agreement" });
  });

  it("with nothing to do names the earliest date ahead", () => {
    const input = {
      courses: [
        course("held", null, {
          state: "current",
          certification: { expiresAt: addDays(now, 200), status: "current" } as LearnerCourse["certification"],
        }),
      ],
      agreements: [agreement("nda", "signed", addDays(now, 90))],
      roles: [],
    };
    expect(buildToDo(input, now)).toEqual([]);
    expect(nextDue(input, now)).toEqual({ what: "the “NDA” is due for renewal", at: addDays(now, 90) });
  });
});

describe("a new major version of a course", () => {
  it("asks the certified to take the new version while their certification is still in its grace period", () => {
    const cert = (courseVersion: string) => ({ courseVersion, status: "current", expiresAt: addDays(now, 200) });
    const items = buildToDo(
      {
        courses: [
          course("changed", 30, {
            course: { id: "changed", title: "CHANGED", version: "2.0.0" },
            certification: cert("1.4.0"),
          } as never),
          course("renewed", 30, {
            course: { id: "renewed", title: "RENEWED", version: "2.0.0" },
            certification: cert("2.0.0"),
          } as never),
        ],
        agreements: [],
        roles: [],
      },
      now,
    );
    expect(items.map((i) => i.title).sort()).toEqual([
      "Complete the course “RENEWED”",
      "Take the new version of “CHANGED”",
    ]);
  });
});
