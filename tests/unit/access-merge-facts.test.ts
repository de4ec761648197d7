import { describe, expect, it } from "vitest";

import { mergePersonFacts, type PersonFacts } from "@/lib/access/facts";

const at = (day: number) => new Date(Date.UTC(2026, 0, day));
const grant = (id: string, roleId: string) => ({
  id,
  roleId,
  status: "approved" as const,
  requestedAt: at(1),
  decidedAt: at(2),
  endsAt: null,
  revokedAt: null,
});
const certification = (courseId: string, courseVersion = "1.0.0") => ({
  courseId,
  courseVersion,
  issuedAt: at(3),
  expiresAt: at(300),
});
const signature = (agreementId: string) => ({
  agreementId,
  agreementVersion: "1.0.0",
  signedAt: at(4),
  renewalDueAt: null,
  outcome: "signed" as const,
});

function facts(parts: Pick<PersonFacts, "grants" | "certifications" | "signatures">): PersonFacts {
  return { person: { status: "active" }, ...parts, grantsByRole: new Map() };
}

describe("one person's facts read in two parts of a batch", () => {
  it("keeps every grant once, by role, and each course's and agreement's rows from the read that had them", () => {
    const first = facts({
      grants: [grant("g1", "role-a")],
      certifications: [certification("course-x")],
      signatures: [signature("nda")],
    });
    const second = facts({
      grants: [grant("g1", "role-a"), grant("g2", "role-b"), grant("g3", "role-b")],
      certifications: [certification("course-x", "9.9.9"), certification("course-y")],
      signatures: [signature("nda"), signature("dpa")],
    });
    const merged = mergePersonFacts(first, second);
    expect(merged.grants.map((g) => g.id)).toEqual(["g1", "g2", "g3"]);
    expect([...merged.grantsByRole].map(([role, grants]) => [role, grants.map((g) => g.id)])).toEqual([
      ["role-a", ["g1"]],
      ["role-b", ["g2", "g3"]],
    ]);
    // Both parts read course-x: the first read's rows stand (the same rows, from one snapshot).
    expect(merged.certifications.map((c) => `${c.courseId}@${c.courseVersion}`)).toEqual([
      "course-x@1.0.0",
      "course-y@1.0.0",
    ]);
    expect(merged.signatures.map((s) => s.agreementId)).toEqual(["nda", "dpa"]);
    expect(merged.person).toEqual({ status: "active" });
  });
});
