import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  decideAccess,
  decisionSteadyBetween,
  type CertFacts,
  type DecisionInput,
  type GrantFacts,
  type SignatureFacts,
} from "@/lib/access/decide.rules";
import { DAY } from "@/lib/time";

/**
 * decisionSteadyBetween: the span around a moment in which the decision
 * cannot change. A decision kept for a (person, role) between checks is
 * reused for any moment in that span (lib/access/facts-cache.ts), so at every
 * moment in it the decision must be exactly the one made at the moment the
 * span was computed for.
 */

const T0 = Date.parse("2026-06-01T00:00:00Z");
// Whole days collide often (ties between records and with the moment asked), milliseconds rarely.
const instant = fc.oneof(
  fc.integer({ min: -60, max: 60 }).map((d) => T0 + d * DAY),
  fc.integer({ min: -60 * DAY, max: 60 * DAY }).map((ms) => T0 + ms),
);
const span = fc.integer({ min: 1, max: 90 * DAY });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

const grant: fc.Arbitrary<GrantFacts> = fc
  .record({
    status: fc.constantFrom("requested", "approved", "approved", "denied", "revoked"),
    decidedAt: instant,
    length: maybe(span),
    revokeAfter: fc.oneof(fc.constant(0), span),
  })
  .map(({ status, decidedAt, length, revokeAfter }) => ({
    status,
    requestedAt: new Date(decidedAt - DAY),
    decidedAt: status === "requested" ? null : new Date(decidedAt),
    endsAt: length === null || status === "requested" ? null : new Date(decidedAt + length),
    revokedAt: status === "revoked" ? new Date(decidedAt + revokeAfter) : null,
  }));

const certification: fc.Arbitrary<CertFacts> = fc
  .record({
    courseId: fc.constantFrom("law", "handling"),
    major: fc.constantFrom(1, 2),
    issuedAt: instant,
    length: span,
  })
  .map(({ courseId, major, issuedAt, length }) => ({
    courseId,
    courseVersion: `${major}.0`,
    issuedAt: new Date(issuedAt),
    expiresAt: new Date(issuedAt + length),
  }));

const signature: fc.Arbitrary<SignatureFacts> = fc
  .record({ major: fc.constantFrom(1, 2), signedAt: instant, renewAfter: maybe(span), declined: fc.boolean() })
  .map(({ major, signedAt, renewAfter, declined }) => ({
    agreementId: "nda",
    agreementVersion: `${major}.0`,
    signedAt: new Date(signedAt),
    renewalDueAt: renewAfter === null ? null : new Date(signedAt + renewAfter),
    outcome: declined ? "declined" : "signed",
  }));

const facts = fc.record({
  status: fc.constantFrom("active", "active", "active", "suspended"),
  grants: fc.array(grant, { maxLength: 4 }),
  certifications: fc.array(certification, { maxLength: 5 }),
  signatures: fc.array(signature, { maxLength: 3 }),
  // The current major (2) of "law" released at some moment, or not yet recorded.
  released: maybe(instant),
  now: instant,
});

type Facts = typeof facts extends fc.Arbitrary<infer T> ? T : never;

function inputOf(f: Facts) {
  return (now: number): DecisionInput => ({
    person: { status: f.status as DecisionInput["person"]["status"] },
    role: { courses: ["law", "handling"], agreements: ["nda"] },
    grants: f.grants,
    certifications: f.certifications,
    signatures: f.signatures,
    courses: new Map([
      [
        "law",
        { id: "law", version: "2.0", graceDays: 14, currentMajorReleasedAt: f.released ? new Date(f.released) : null },
      ],
      ["handling", { id: "handling", version: "1.0", graceDays: 14, currentMajorReleasedAt: null }],
    ]),
    agreements: new Map([["nda", { id: "nda", version: "2.0" }]]),
    now: new Date(now),
  });
}

describe("the span in which an access decision cannot change", () => {
  it("gives the same decision, valid_until included, at every moment of the span", () => {
    fc.assert(
      fc.property(facts, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }), (f, fractions) => {
        const at = inputOf(f);
        const { from, until } = decisionSteadyBetween(at(f.now));
        expect(from).toBeLessThanOrEqual(f.now);
        expect(until).toBeGreaterThan(f.now);
        const decided = decideAccess(at(f.now));
        // Its first and last milliseconds, and moments between (within a year where the span is unbounded).
        const low = Number.isFinite(from) ? from : f.now - 365 * DAY;
        const high = Number.isFinite(until) ? until - 1 : f.now + 365 * DAY;
        for (const moment of [low, high, ...fractions.map((x) => Math.floor(low + x * (high - low)))])
          expect(decideAccess(at(moment))).toEqual(decided);
      }),
      { numRuns: 2000 },
    );
  });

  it("ends where a fact starts or stops counting: just after the span the decision may differ, and does for an expiry", () => {
    const expires = T0 + 10 * DAY;
    const input: DecisionInput = {
      person: { status: "active" },
      role: { courses: ["law"], agreements: [] },
      grants: [{ status: "approved", requestedAt: new Date(T0 - DAY), decidedAt: new Date(T0 - DAY), endsAt: null }],
      certifications: [
        { courseId: "law", courseVersion: "1.0", issuedAt: new Date(T0 - 5 * DAY), expiresAt: new Date(expires) },
      ],
      signatures: [],
      courses: new Map([["law", { id: "law", version: "1.0", graceDays: 14, currentMajorReleasedAt: null }]]),
      agreements: new Map(),
      now: new Date(T0),
    };
    expect(decisionSteadyBetween(input)).toEqual({ from: T0 - DAY, until: expires });
    expect(decideAccess({ ...input, now: new Date(expires - 1) }).allow).toBe(true);
    expect(decideAccess({ ...input, now: new Date(expires) }).reasons).toEqual(["course_expired:law"]);
  });
});
