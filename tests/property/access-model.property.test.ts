import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { accessGrants, certifications, courseReleases, people, quizAttempts, signatures } from "@/db/schema";
import { checkAccess } from "@/lib/access/check";
import { accessRoles, decisionFor, loadDecisionFacts } from "@/lib/access/facts";
import { roleHolders } from "@/lib/access/holders";
import { getContent } from "@/lib/content";
import { DAY } from "@/lib/time";

import { employeeSignature } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";
import {
  modelDecision,
  type ModelCertification,
  type ModelGrant,
  type ModelPerson,
  type ModelRelease,
  type ModelSignature,
  type ModelWorld,
} from "../model/access-model";

/**
 * The access decision against a reference model (tests/model/access-model.ts):
 * random people with random grants, certifications (several per course and
 * version, from passed and failed attempts), signatures (several versions,
 * declines, renewals) and course releases are written to the database through
 * its constraints; then, at random instants and exactly on (and 1 ms either
 * side of) every moment a record starts or stops counting, the check
 * (checkAccess: the facts read as of that moment), the full-history read and
 * the holders list must give the model's answer.
 *
 * A run is one small organisation; its decisions are the cases (about a
 * hundred a run). PROPERTY_RUNS scales the runs (×4); the default keeps a
 * PGlite run near half a minute.
 */
const RUNS = Math.max(300, 4 * (Number(process.env.PROPERTY_RUNS) || 0));
const TIMEOUT = Math.max(120_000, RUNS * 400);
const database = withTestDatabase();

const T0 = Date.parse("2026-06-01T00:00:00Z");
const roles = accessRoles();
const content = getContent();
const courseIds = [...new Set(roles.flatMap((r) => r.courses))];
const agreementIds = [...new Set(roles.flatMap((r) => r.agreements))];
const world = (releases: ModelRelease[]): ModelWorld => ({
  courses: Object.fromEntries(content.courses.map((c) => [c.id, { version: c.version, graceDays: c.graceDays }])),
  agreements: Object.fromEntries(content.agreements.map((a) => [a.id, { version: a.version }])),
  releases,
});

// Times on whole days collide often (ties between records), times to the millisecond rarely.
const instant = fc.oneof(
  fc.integer({ min: -400, max: 400 }).map((d) => T0 + d * DAY),
  fc.integer({ min: -400 * DAY, max: 400 * DAY }).map((ms) => T0 + ms),
);
const span = fc.oneof(
  fc.integer({ min: 1, max: 500 }).map((d) => d * DAY),
  fc.integer({ min: 1, max: 500 * DAY }),
);

const grant: fc.Arbitrary<ModelGrant> = fc
  .record({
    status: fc.constantFrom("requested", "approved", "approved", "denied", "revoked"),
    decidedAt: instant,
    length: fc.option(span, { freq: 4 }),
    revokeAfter: fc.oneof(fc.constant(0), span),
  })
  .map(({ status, decidedAt, length, revokeAfter }) => ({
    status,
    decidedAt: status === "requested" ? null : decidedAt,
    endsAt: status === "approved" || status === "revoked" ? (length === null ? null : decidedAt + length) : null,
    revokedAt: status === "revoked" ? decidedAt + revokeAfter : null,
  }));

type GeneratedCertification = ModelCertification & { passed: boolean };
const certification: fc.Arbitrary<GeneratedCertification> = fc
  .record({
    courseId: fc.constantFrom(...courseIds),
    version: fc.constantFrom("0.9.0", "1.0.0", "1.0.0", "1.2.0", "2.0.0"),
    issuedAt: instant,
    validity: span,
    passed: fc.constantFrom(true, true, true, false),
  })
  .map(({ validity, ...c }) => ({ ...c, expiresAt: c.issuedAt + validity }));

const signature: fc.Arbitrary<ModelSignature> = fc
  .record({
    agreementId: fc.constantFrom(...agreementIds),
    version: fc.constantFrom("0.5.0", "1.0.0", "1.0.0", "1.1.0", "2.0.0"),
    outcome: fc.constantFrom("signed", "signed", "signed", "declined"),
    signedAt: instant,
    renewal: fc.option(fc.oneof(span, fc.integer({ min: -30 * DAY, max: 0 })), { freq: 8 }),
  })
  .map(({ renewal, ...s }) => ({ ...s, renewalDueAt: renewal === null ? null : s.signedAt + renewal }));

/** Everything a role needs, around T0, so that allowed answers are common; the random records above then get in its way or not. */
const qualification = fc
  .record({
    roleId: fc.constantFrom(...roles.map((r) => r.id)),
    from: fc.integer({ min: -300 * DAY, max: 0 }),
    validity: fc.integer({ min: 60 * DAY, max: 600 * DAY }),
    version: fc.constantFrom("1.0.0", "1.0.0", "0.9.0"),
    endless: fc.boolean(),
  })
  .map(({ roleId, from, validity, version, endless }) => {
    const role = roles.find((r) => r.id === roleId)!;
    const start = T0 + from;
    return {
      roleId,
      grant: {
        status: "approved",
        decidedAt: start,
        endsAt: endless ? null : start + validity,
        revokedAt: null,
      } satisfies ModelGrant,
      certifications: role.courses.map((courseId, i): GeneratedCertification => ({
        courseId,
        version,
        issuedAt: start + i * 7 * DAY,
        expiresAt: start + i * 7 * DAY + validity,
        passed: true,
      })),
      signatures: role.agreements.map((agreementId, i): ModelSignature => ({
        agreementId,
        version: "1.0.0",
        outcome: "signed",
        signedAt: start + i * 3 * DAY,
        renewalDueAt: start + i * 3 * DAY + validity + 11 * DAY,
      })),
    };
  });

const person = fc
  .record({
    status: fc.constantFrom<ModelPerson["status"]>(
      "active",
      "active",
      "active",
      "active",
      "active",
      "active",
      "active",
      "active",
      "suspended",
      "departed",
    ),
    qualified: fc.array(qualification, { minLength: 1, maxLength: 3 }),
    grants: fc.array(fc.record({ roleId: fc.constantFrom(...roles.map((r) => r.id)), grant }), { maxLength: 5 }),
    certifications: fc.array(certification, { maxLength: 8 }),
    signatures: fc.array(signature, { maxLength: 4 }),
  })
  .map(({ qualified, ...p }) => ({
    ...p,
    grants: [...qualified.map((q) => ({ roleId: q.roleId, grant: q.grant })), ...p.grants],
    certifications: [...qualified.flatMap((q) => q.certifications), ...p.certifications],
    signatures: [...qualified.flatMap((q) => q.signatures), ...p.signatures],
  }));

type GeneratedPerson = typeof person extends fc.Arbitrary<infer T> ? T : never;

const releases = fc.uniqueArray(
  fc.record({ courseId: fc.constantFrom(...courseIds), major: fc.constantFrom(0, 1, 1, 2), releasedAt: instant }),
  { selector: (r) => `${r.courseId}@${r.major}`, maxLength: 8 },
);

/** Every moment a record starts or stops counting, for the instants a run checks. */
function boundaries(people: ModelPerson[], w: ModelWorld): number[] {
  const moments = w.releases.flatMap((r) => [
    r.releasedAt,
    r.releasedAt + (w.courses[r.courseId]?.graceDays ?? 0) * DAY,
  ]);
  for (const p of people) {
    for (const g of Object.values(p.grants).flat())
      moments.push(...[g.decidedAt, g.endsAt, g.revokedAt].filter((m): m is number => m !== null));
    for (const c of p.certifications) moments.push(c.issuedAt, c.expiresAt);
    for (const s of p.signatures) moments.push(s.signedAt, ...(s.renewalDueAt === null ? [] : [s.renewalDueAt]));
  }
  return moments;
}

/** The constraint a write broke, from either driver's error (drizzle wraps it in `cause`). */
async function refusal(write: Promise<unknown>): Promise<string | null> {
  try {
    await write;
    return null;
  } catch (error) {
    const e = error as { cause?: Record<string, unknown> } & Record<string, unknown>;
    const detail = e.cause ?? e;
    return String(detail.constraint_name ?? detail.constraint ?? detail.message);
  }
}

/** Writes a run's organisation (alone in the database) and returns what the database agreed to store. */
async function store(generated: GeneratedPerson[], generatedReleases: ModelRelease[]) {
  const db = database.db();
  await db.delete(certifications);
  await db.delete(quizAttempts);
  await db.delete(signatures);
  await db.delete(accessGrants);
  await db.execute(sql`delete from access_decisions`);
  await db.delete(people);
  await db.delete(courseReleases);
  if (generatedReleases.length)
    await db.insert(courseReleases).values(
      generatedReleases.map((r) => ({
        courseId: r.courseId,
        major: r.major,
        version: `${r.major}.0.0`,
        releasedAt: new Date(r.releasedAt),
      })),
    );

  const stored: { id: string; model: ModelPerson }[] = [];
  const rows = await db
    .insert(people)
    .values(
      generated.map((p, i) => ({
        email: `model-${i}-${randomUUID().slice(0, 8)}@test.example`,
        name: `Model ${String(i).padStart(2, "0")}`,
        status: p.status as ModelPerson["status"],
      })),
    )
    .returning({ id: people.id });
  const grantRows: (typeof accessGrants.$inferInsert)[] = [];
  const attemptRows: (typeof quizAttempts.$inferInsert)[] = [];
  const certRows: (typeof certifications.$inferInsert)[] = [];
  const refused: { write: () => Promise<unknown>; constraint: string }[] = [];
  const signatureRows: (typeof signatures.$inferInsert)[] = [];
  for (const [i, p] of generated.entries()) {
    const personId = rows[i].id;
    const model: ModelPerson = {
      status: p.status as ModelPerson["status"],
      grants: {},
      certifications: [],
      signatures: [],
    };
    for (const { roleId, grant: g } of p.grants) {
      (model.grants[roleId] ??= []).push(g);
      const at = (ms: number | null) => (ms === null ? null : new Date(ms));
      grantRows.push({
        personId,
        roleId,
        status: g.status,
        justification: "model",
        requestedAt: new Date((g.decidedAt ?? T0) - DAY),
        decidedAt: at(g.decidedAt),
        endsAt: at(g.endsAt),
        revokedAt: at(g.revokedAt),
      });
    }
    for (const c of p.certifications) {
      const attemptId = randomUUID();
      const issuedAt = new Date(c.issuedAt);
      attemptRows.push({
        id: attemptId,
        personId,
        courseId: c.courseId,
        courseVersion: c.version,
        status: "submitted",
        drawn: [],
        questionCount: 1,
        passMark: 80,
        passed: c.passed,
        scorePercent: c.passed ? 100 : 0,
        startedAt: issuedAt,
        submittedAt: issuedAt,
      });
      const row = {
        personId,
        courseId: c.courseId,
        courseVersion: c.version,
        attemptId,
        issuedAt,
        expiresAt: new Date(c.expiresAt),
        verificationCode: randomUUID(),
      };
      // A failed attempt earns nothing: the database refuses the certification, so the model never sees it.
      if (c.passed) {
        certRows.push(row);
        model.certifications.push({
          courseId: c.courseId,
          version: c.version,
          issuedAt: c.issuedAt,
          expiresAt: c.expiresAt,
        });
      } else
        refused.push({
          write: () => database.db().insert(certifications).values(row),
          constraint: "certifications_passed_attempt_fk",
        });
    }
    for (const s of p.signatures) {
      const row = employeeSignature({
        agreementId: s.agreementId,
        agreementVersion: s.version,
        personId,
        signedAt: new Date(s.signedAt),
        outcome: s.outcome,
        renewalDueAt: s.renewalDueAt === null ? null : new Date(s.renewalDueAt),
      });
      // A signature that would never (or already did) need renewing is refused.
      if (s.outcome === "signed" && (s.renewalDueAt === null || s.renewalDueAt <= s.signedAt))
        refused.push({
          write: () => database.db().insert(signatures).values(row),
          constraint: "signatures_signed_renewal_due",
        });
      else {
        signatureRows.push(row);
        model.signatures.push(s);
      }
    }
    stored.push({ id: personId, model });
  }
  if (grantRows.length) await db.insert(accessGrants).values(grantRows);
  if (attemptRows.length) await db.insert(quizAttempts).values(attemptRows);
  if (certRows.length) await db.insert(certifications).values(certRows);
  if (signatureRows.length) await db.insert(signatures).values(signatureRows);
  for (const r of refused) expect(await refusal(r.write())).toBe(r.constraint);
  return stored;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("the access decision against its reference model", () => {
  it(
    "agrees on allow, reasons and valid_until at random instants and on every expiry, and the holders list is exactly who is allowed",
    async () => {
      let decisions = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(person, { minLength: 1, maxLength: 3 }),
          releases,
          fc.array(fc.tuple(fc.nat(), fc.constantFrom(-1, 0, 0, 1)), { minLength: 3, maxLength: 5 }),
          fc.oneof(
            instant,
            fc.integer({ min: -300 * DAY, max: 300 * DAY }).map((ms) => T0 + ms),
          ),
          async (generated, generatedReleases, picks, random) => {
            const stored = await store(generated, generatedReleases);
            const w = world(generatedReleases);
            const moments = boundaries(
              stored.map((s) => s.model),
              w,
            );
            const instants = [
              random,
              ...picks.map(([i, jitter]) => (moments.length ? moments[i % moments.length] + jitter : random + jitter)),
            ];
            const history = await loadDecisionFacts(
              database.db(),
              stored.map((s) => s.id),
            );
            const pairs = stored.flatMap((s) => roles.map((role) => ({ user: s.id, role: role.id })));

            for (const [n, t] of instants.entries()) {
              const at = new Date(t);
              const expected = stored.flatMap((s) =>
                roles.map((role) => ({ person: s.id, role: role.id, ...modelDecision(w, s.model, role, t) })),
              );
              // The check: facts read as of `at`, one row per requirement.
              const checked = await checkAccess(database.db(), null, pairs, at);
              const fromHistory = stored.flatMap((s) => roles.map((role) => decisionFor(history, s.id, role, at)));
              for (const [k, e] of expected.entries()) {
                const want = { allow: e.allow, reasons: e.reasons, valid_until: iso(e.validUntil) };
                const context = `person ${e.person} role ${e.role} at ${at.toISOString()}`;
                const d = checked[k].decision!;
                expect(
                  { allow: d.allow, reasons: d.reasons, valid_until: iso(d.valid_until?.getTime() ?? null) },
                  context,
                ).toEqual(want);
                const h = fromHistory[k];
                expect(
                  { allow: h.allow, reasons: h.reasons, valid_until: iso(h.valid_until?.getTime() ?? null) },
                  context,
                ).toEqual(want);
                decisions++;
              }
              // Holders at two of the instants: exactly the people allowed, with the same valid_until and the grant in effect's end.
              if (n < 2) {
                for (const role of roles) {
                  const holders = (await roleHolders(database.db(), role.id, at))!;
                  const want = expected
                    .filter((e) => e.role === role.id && e.allow)
                    .map((e) => ({ id: e.person, validUntil: iso(e.validUntil), grantEndsAt: iso(e.grantEndsAt) }));
                  const got = holders.map((h) => ({
                    id: h.id,
                    validUntil: iso(h.validUntil?.getTime() ?? null),
                    grantEndsAt: iso(h.grantEndsAt?.getTime() ?? null),
                  }));
                  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
                  expect(got.sort(byId), `holders of ${role.id} at ${at.toISOString()}`).toEqual(want.sort(byId));
                }
              }
            }
          },
        ),
        { numRuns: RUNS },
      );
      // Thousands of decisions compared, not a handful.
      expect(decisions).toBeGreaterThan(RUNS * 20);
    },
    TIMEOUT,
  );
});
