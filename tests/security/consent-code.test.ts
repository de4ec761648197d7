import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents, signingCeremonies } from "@/db/schema";
import { employeeConsentCheck, giveConsent, openSigning } from "@/lib/agreements/employee-agreements";
import { FieldError, NotFoundError } from "@/lib/errors";

import { codeFromConsentPdf } from "../helpers/consent-code";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * The e-sign consent step's code (ESIGN §7001(c)(1)(C)(ii)) attacked: someone else's code, a spent code,
 * an old code, guessing, and 30 submissions at the same moment.
 */

const database = withTestDatabase();
const ATTEMPTS = 30;

async function opened(agreementId = "employee-nda") {
  const person = await createPerson(database.db());
  const viewer = viewerOf(person);
  const ctx = { ...context(person.id), ip: "203.0.113.7", userAgent: "attack" };
  const { ceremony } = await openSigning(viewer, agreementId, ctx.ip);
  return { viewer, ctx, ceremonyId: ceremony.id };
}

async function codeFor(signing: Awaited<ReturnType<typeof opened>>) {
  return codeFromConsentPdf((await employeeConsentCheck(signing.viewer, signing.ceremonyId)).bytes);
}

async function ceremony(id: string) {
  const [row] = await database.db().select().from(signingCeremonies).where(eq(signingCeremonies.id, id));
  return row;
}

async function consentEvents(ceremonyId: string) {
  return database
    .db()
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "agreement.consent_given"), eq(auditEvents.targetId, ceremonyId)));
}

const consent = (s: Awaited<ReturnType<typeof opened>>, code: string, agreementId = "employee-nda") =>
  giveConsent(s.viewer, s.ctx, agreementId, s.ceremonyId, code);

describe("e-sign consent code", () => {
  it("the code from the person's own PDF gives consent; it is stored only as a hash and cleared once used", async () => {
    const s = await opened();
    const code = await codeFor(s);
    expect(code).toMatch(/^[A-Z2-9]{6}$/);
    const before = await ceremony(s.ceremonyId);
    expect(before.consentCodeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(before.consentCodeHash).not.toContain(code);

    await consent(s, code.toLowerCase().replace(/^(...)/, "$1-"));
    const after = await ceremony(s.ceremonyId);
    expect(after.consentAt).toBeInstanceOf(Date);
    expect(after.consentCodeHash).toBeNull();
    expect(await consentEvents(s.ceremonyId)).toHaveLength(1);
    // Once consent is given there is no PDF to open any more.
    await expect(employeeConsentCheck(s.viewer, s.ceremonyId)).rejects.toThrow(NotFoundError);
  });

  it("refuses another person's code, and another person cannot fetch this person's PDF", async () => {
    const mine = await opened();
    const theirs = await opened();
    const theirCode = await codeFor(theirs);
    await codeFor(mine);
    await expect(consent(mine, theirCode)).rejects.toThrow(FieldError);
    expect((await ceremony(mine.ceremonyId)).consentAt).toBeNull();
    await expect(employeeConsentCheck(theirs.viewer, mine.ceremonyId)).rejects.toThrow(NotFoundError);
    // Their code still works for them: a wrong guess elsewhere spends nothing of theirs.
    await consent(theirs, theirCode);
    expect((await ceremony(theirs.ceremonyId)).consentAt).toBeInstanceOf(Date);
  });

  it("a spent code does not work again for another signing, and opening the PDF again retires the old code", async () => {
    const s = await opened();
    const code = await codeFor(s);
    await consent(s, code);

    const { ceremony: other } = await openSigning(s.viewer, "acceptable-use-attestation", s.ctx.ip);
    const second = { ...s, ceremonyId: other.id };
    const fresh = await codeFor(second);
    await expect(consent(second, code, "acceptable-use-attestation")).rejects.toThrow(FieldError);

    const newer = await codeFor(second);
    if (newer !== fresh) await expect(consent(second, fresh, "acceptable-use-attestation")).rejects.toThrow(FieldError);
    await consent(second, newer, "acceptable-use-attestation");
    expect((await ceremony(other.id)).consentAt).toBeInstanceOf(Date);
  });

  it("five wrong codes discard the code, so guessing ends and a new PDF is needed", async () => {
    const s = await opened();
    const code = await codeFor(s);
    const wrong = code === "AAAAAA" ? "BBBBBB" : "AAAAAA";
    for (let i = 0; i < 5; i++) await expect(consent(s, wrong)).rejects.toThrow(FieldError);
    await expect(consent(s, code)).rejects.toThrow("Open the consent-check PDF again");
    expect((await ceremony(s.ceremonyId)).consentAt).toBeNull();
    await consent(s, await codeFor(s));
    expect((await ceremony(s.ceremonyId)).consentAt).toBeInstanceOf(Date);
  });

  it(`${ATTEMPTS} submissions of the right code at once record one consent`, async () => {
    const s = await opened();
    const code = await codeFor(s);
    const results = await Promise.allSettled(Array.from({ length: ATTEMPTS }, () => consent(s, code)));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await consentEvents(s.ceremonyId)).toHaveLength(1);
  });

  it(`${ATTEMPTS} wrong codes at once leave the signing without consent and the code discarded`, async () => {
    const s = await opened();
    const code = await codeFor(s);
    const wrong = Array.from({ length: ATTEMPTS }, (_, i) => `W${String(i).padStart(5, "2")}`);
    const results = await Promise.allSettled(wrong.map((w) => consent(s, w)));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    const row = await ceremony(s.ceremonyId);
    expect(row.consentAt).toBeNull();
    expect(row.consentCodeFailures).toBeGreaterThanOrEqual(5);
    await expect(consent(s, code)).rejects.toThrow(FieldError);
  });
});
