import { describe, expect, it } from "vitest";

import { decideAccess, type DecisionInput } from "@/lib/access/decide.rules";
import { describeReason } from "@/lib/access/describe";
import { DAY } from "@/lib/time";

const now = new Date("2026-11-29T12:00:00Z");
const at = (days: number) => new Date(now.getTime() + days * DAY);

function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    person: { status: "active" },
    role: { courses: ["law"], agreements: ["nda"] },
    grants: [{ status: "approved", requestedAt: at(-10), decidedAt: at(-9), endsAt: at(100) }],
    certifications: [{ courseId: "law", courseVersion: "1.0.0", issuedAt: at(-30), expiresAt: at(200) }],
    signatures: [
      { agreementId: "nda", agreementVersion: "1.0.0", signedAt: at(-20), renewalDueAt: at(300), outcome: "signed" },
    ],
    courses: new Map([["law", { id: "law", version: "1.0.0", graceDays: 30, currentMajorReleasedAt: at(-365) }]]),
    agreements: new Map([["nda", { id: "nda", version: "1.0.0" }]]),
    now,
    ...over,
  };
}

describe("decideAccess", () => {
  it("allows with everything current, valid until the earliest expiry", () => {
    expect(decideAccess(input())).toEqual({ allow: true, reasons: [], valid_until: at(100) });
  });

  it.each<[string, Partial<DecisionInput>, string[]]>([
    ["suspended account", { person: { status: "suspended" } }, ["account_inactive"]],
    ["departed account", { person: { status: "departed" } }, ["account_inactive"]],
    ["no grant at all", { grants: [] }, ["no_grant"]],
    [
      "only a pending request",
      { grants: [{ status: "requested", requestedAt: at(-1), decidedAt: null, endsAt: null }] },
      ["no_grant"],
    ],
    [
      "a denied request",
      { grants: [{ status: "denied", requestedAt: at(-2), decidedAt: at(-1), endsAt: null }] },
      ["no_grant"],
    ],
    [
      "a revoked grant",
      { grants: [{ status: "revoked", requestedAt: at(-10), decidedAt: at(-9), revokedAt: at(-1), endsAt: null }] },
      ["grant_revoked"],
    ],
    [
      "a grant approved only in the future of `now`",
      { grants: [{ status: "approved", requestedAt: at(-1), decidedAt: at(1), endsAt: null }] },
      ["no_grant"],
    ],
    [
      "a grant that ended exactly now",
      { grants: [{ status: "approved", requestedAt: at(-10), decidedAt: at(-9), endsAt: now }] },
      ["grant_ended"],
    ],
    ["no certification", { certifications: [] }, ["course_missing:law"]],
    [
      "a certification that expired exactly now",
      { certifications: [{ courseId: "law", courseVersion: "1.0.0", issuedAt: at(-365), expiresAt: now }] },
      ["course_expired:law"],
    ],
    [
      "a certification superseded by a new major after the grace period",
      { courses: new Map([["law", { id: "law", version: "2.0.0", graceDays: 30, currentMajorReleasedAt: at(-30) }]]) },
      ["course_superseded:law"],
    ],
    ["no signature", { signatures: [] }, ["agreement_missing:nda"]],
    [
      "only a declined signature",
      {
        signatures: [
          { agreementId: "nda", agreementVersion: "1.0.0", signedAt: at(-1), renewalDueAt: null, outcome: "declined" },
        ],
      },
      ["agreement_missing:nda"],
    ],
    [
      "an agreement past its renewal date",
      {
        signatures: [
          { agreementId: "nda", agreementVersion: "1.0.0", signedAt: at(-400), renewalDueAt: now, outcome: "signed" },
        ],
      },
      ["agreement_outdated:nda"],
    ],
    [
      "an agreement with a new major version",
      { agreements: new Map([["nda", { id: "nda", version: "2.0.0" }]]) },
      ["agreement_outdated:nda"],
    ],
    [
      "several reasons at once",
      { person: { status: "suspended" }, grants: [], certifications: [], signatures: [] },
      ["account_inactive", "no_grant", "course_missing:law", "agreement_missing:nda"],
    ],
  ])("denies: %s", (_name, over, reasons) => {
    const decision = decideAccess(input(over));
    expect(decision.allow).toBe(false);
    expect(decision.reasons).toEqual(reasons);
    expect(decision.valid_until).toBeNull();
  });

  it("a certification one second before expiry still counts, and sets valid_until", () => {
    const expiresAt = new Date(now.getTime() + 1000);
    const decision = decideAccess(
      input({ certifications: [{ courseId: "law", courseVersion: "1.0.0", issuedAt: at(-365), expiresAt }] }),
    );
    expect(decision).toEqual({ allow: true, reasons: [], valid_until: expiresAt });
  });

  it("within the grace period of a new major, allows until the grace period ends", () => {
    const released = at(-10);
    const decision = decideAccess(
      input({
        courses: new Map([["law", { id: "law", version: "2.0.0", graceDays: 30, currentMajorReleasedAt: released }]]),
      }),
    );
    expect(decision).toEqual({ allow: true, reasons: [], valid_until: at(20) });
  });

  it("a grant without an end date is limited by the requirements", () => {
    expect(
      decideAccess(input({ grants: [{ status: "approved", requestedAt: at(-10), decidedAt: at(-9), endsAt: null }] }))
        .valid_until,
    ).toEqual(at(200));
  });

  it("a grant revoked after `now` still counted at `now` (events reported late)", () => {
    const grants = [
      { status: "revoked" as const, requestedAt: at(-10), decidedAt: at(-9), revokedAt: at(1), endsAt: null },
    ];
    expect(decideAccess(input({ grants })).allow).toBe(true);
  });

  it("a newer approval after a revocation restores the grant", () => {
    const grants = [
      { status: "revoked" as const, requestedAt: at(-10), decidedAt: at(-9), revokedAt: at(-5), endsAt: null },
      { status: "approved" as const, requestedAt: at(-3), decidedAt: at(-2), endsAt: null },
    ];
    expect(decideAccess(input({ grants })).allow).toBe(true);
  });

  it("a newer certification counts over an older expired one", () => {
    const certifications = [
      { courseId: "law", courseVersion: "1.0.0", issuedAt: at(-800), expiresAt: at(-435) },
      { courseId: "law", courseVersion: "1.0.0", issuedAt: at(-5), expiresAt: at(360) },
    ];
    expect(decideAccess(input({ certifications })).allow).toBe(true);
  });
});

describe("reasons in words", () => {
  it("speaks to the person on their own page and about them to an approver", () => {
    expect(describeReason("account_inactive").text).toBe("Your account is not active");
    expect(describeReason("account_inactive", "them").text).toBe("Their account is not active");
    expect(describeReason("course_expired:data-protection-law", "them")).toEqual({
      reason: "course_expired:data-protection-law",
      text: "Renew their certification in “Data-protection law essentials” (expired)",
      href: "/courses/data-protection-law",
    });
    expect(describeReason("agreement_missing:employee-nda", "them").text).toBe(
      "Sign the “Employee Confidentiality Agreement”",
    );
  });
});
