import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents, loginAttempts } from "@/db/schema";
import { verifyAuditChain } from "@/lib/audit/verify";
import { authenticate } from "@/lib/auth/authenticate";
import { confirmMfaEnrolment, startMfaEnrolment } from "@/lib/auth/mfa";
import { sessionCookie } from "@/lib/auth/options";
import { privilegeStamp } from "@/lib/auth/session-stamp";
import { stepAt, totpAt } from "@/lib/crypto/totp";

import { context, createPerson, reload, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const request = (ip = "10.0.0.1") => ({ ip, userAgent: "vitest" });

async function actions(personId: string) {
  const rows = await database
    .db()
    .select({ action: auditEvents.action })
    .from(auditEvents)
    .where(eq(auditEvents.targetId, personId))
    .orderBy(auditEvents.id);
  return rows.map((r) => r.action);
}

describe("sign-in", () => {
  it("stamps sessions with what privileges rest on: a change of roles, MFA or password changes the stamp", () => {
    const base = {
      roles: ["employee", "manager"],
      mfaEnabledAt: new Date("2026-01-05T10:00:00Z"),
      passwordHash: "scrypt$abc",
    };
    expect(privilegeStamp({ ...base, roles: ["manager", "employee"] })).toBe(privilegeStamp(base));
    const changed = [
      { ...base, roles: ["employee"] },
      { ...base, roles: ["employee", "manager", "auditor"] },
      { ...base, mfaEnabledAt: null },
      { ...base, mfaEnabledAt: new Date("2026-02-01T10:00:00Z") },
      { ...base, passwordHash: "scrypt$def" },
    ];
    for (const facts of changed) expect(privilegeStamp(facts)).not.toBe(privilegeStamp(base));
  });

  it("keeps the session cookie HttpOnly and SameSite=Lax, and Secure with the __Secure- prefix over HTTPS", () => {
    expect(sessionCookie("https://clearance.example.com")).toEqual({
      name: "__Secure-next-auth.session-token",
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: true },
    });
    expect(sessionCookie("http://localhost:3000")).toEqual({
      name: "next-auth.session-token",
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: false },
    });
  });

  it("accepts the right password, case-insensitive email, and audits it", async () => {
    const person = await createPerson(database.db());
    const result = await authenticate({ email: person.email.toUpperCase(), password: TEST_PASSWORD, ...request() });
    expect(result).toEqual({ ok: true, personId: person.id, method: "password" });
    expect(await actions(person.id)).toEqual(["auth.signed_in"]);
  });

  it("refuses a wrong password and an unknown account with the same answer", async () => {
    const person = await createPerson(database.db());
    expect(await authenticate({ email: person.email, password: "nope", ...request() })).toEqual({
      ok: false,
      reason: "invalid_credentials",
    });
    expect(await authenticate({ email: "nobody@test.example", password: "nope", ...request() })).toEqual({
      ok: false,
      reason: "invalid_credentials",
    });
    expect(await actions(person.id)).toEqual(["auth.sign_in_failed"]);
  });

  it("never stores the password", async () => {
    const person = await createPerson(database.db());
    await authenticate({ email: person.email, password: "a-secret-guess", ...request() });
    const events = await database.db().select({ data: auditEvents.data }).from(auditEvents);
    expect(JSON.stringify(events)).not.toContain("a-secret-guess");
  });

  it("locks an account after 5 failures for 15 minutes, then lets it try again", async () => {
    const person = await createPerson(database.db());
    const t0 = new Date("2026-11-29T10:00:00Z");
    for (let i = 0; i < 5; i++) {
      const r = await authenticate({
        email: person.email,
        password: "wrong",
        ...request(`10.1.0.${i}`),
        now: new Date(t0.getTime() + i * 1000),
      });
      expect(r).toEqual({ ok: false, reason: "invalid_credentials" });
    }
    const locked = await authenticate({
      email: person.email,
      password: TEST_PASSWORD,
      ...request("10.1.1.1"),
      now: new Date(t0.getTime() + 60_000),
    });
    expect(locked).toEqual({ ok: false, reason: "locked", retryInMinutes: 15 });
    expect(await actions(person.id)).toContain("auth.locked");
    const after = await authenticate({
      email: person.email,
      password: TEST_PASSWORD,
      ...request("10.1.1.1"),
      now: new Date(t0.getTime() + 4000 + 15 * 60_000 + 1),
    });
    expect(after.ok).toBe(true);
  });

  it("a success resets the account counter", async () => {
    const person = await createPerson(database.db());
    const t0 = new Date("2026-11-29T11:00:00Z");
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    for (let i = 0; i < 4; i++)
      await authenticate({ email: person.email, password: "wrong", ...request("10.2.0.1"), now: at(i) });
    expect(
      (await authenticate({ email: person.email, password: TEST_PASSWORD, ...request("10.2.0.1"), now: at(5) })).ok,
    ).toBe(true);
    for (let i = 0; i < 4; i++)
      await authenticate({ email: person.email, password: "wrong", ...request("10.2.0.1"), now: at(10 + i) });
    expect(
      (await authenticate({ email: person.email, password: TEST_PASSWORD, ...request("10.2.0.1"), now: at(20) })).ok,
    ).toBe(true);
  });

  it("refuses an IP after 20 failures across accounts", async () => {
    const t0 = new Date("2026-11-29T12:00:00Z");
    for (let i = 0; i < 20; i++) {
      await authenticate({
        email: `spray-${i}@test.example`,
        password: "wrong",
        ...request("10.9.9.9"),
        now: new Date(t0.getTime() + i * 1000),
      });
    }
    const person = await createPerson(database.db());
    const r = await authenticate({
      email: person.email,
      password: TEST_PASSWORD,
      ...request("10.9.9.9"),
      now: new Date(t0.getTime() + 30_000),
    });
    expect(r).toMatchObject({ ok: false, reason: "locked" });
    const other = await authenticate({
      email: person.email,
      password: TEST_PASSWORD,
      ...request("10.9.9.10"),
      now: new Date(t0.getTime() + 30_000),
    });
    expect(other.ok).toBe(true);
    const refused = await database
      .db()
      .select()
      .from(loginAttempts)
      .where(and(eq(loginAttempts.ip, "10.9.9.9"), eq(loginAttempts.outcome, "refused")));
    expect(refused).toHaveLength(1);
  });

  it("refuses suspended and departed people even with the right password", async () => {
    for (const status of ["suspended", "departed"] as const) {
      const person = await createPerson(database.db(), { status });
      expect(await authenticate({ email: person.email, password: TEST_PASSWORD, ...request("10.3.0.1") })).toEqual({
        ok: false,
        reason: "inactive",
      });
    }
  });

  it("enrols MFA, then requires a code; a TOTP code works once; a recovery code works once", async () => {
    const person = await createPerson(database.db(), { roles: ["manager"] });
    const viewer = viewerOf(person);
    const enrolment = await startMfaEnrolment(viewer);
    expect(enrolment.qrSvg).toContain("<svg");
    expect(enrolment.uri).toContain(`secret=${enrolment.secret}`);
    const now = new Date("2026-11-29T13:00:00Z");
    expect(await confirmMfaEnrolment(viewer, "000000", context(person.id), now)).toMatchObject({ ok: false });
    const confirmed = await confirmMfaEnrolment(viewer, totpAt(enrolment.secret, stepAt(now)), context(person.id), now);
    if (!confirmed.ok) throw new Error(confirmed.message);
    expect(confirmed.recoveryCodes).toHaveLength(10);
    const stored = await reload(database.db(), person.id);
    expect(stored.mfaSecretEnc).not.toContain(enrolment.secret);
    expect(stored.mfaEnabledAt).not.toBeNull();

    const later = new Date(now.getTime() + 60_000);
    const base = { email: person.email, password: TEST_PASSWORD, ...request("10.4.0.1"), now: later };
    expect(await authenticate(base)).toEqual({ ok: false, reason: "mfa_required", factors: ["totp"] });
    expect(await authenticate({ ...base, code: "123456" })).toEqual({ ok: false, reason: "invalid_code" });
    const code = totpAt(enrolment.secret, stepAt(later));
    expect(await authenticate({ ...base, code })).toMatchObject({ ok: true, method: "password+totp" });
    expect(await authenticate({ ...base, code })).toEqual({ ok: false, reason: "invalid_code" });

    const recovery = confirmed.recoveryCodes[0].toUpperCase().replace("-", " ");
    expect(await authenticate({ ...base, code: recovery })).toMatchObject({
      ok: true,
      method: "password+recovery_code",
    });
    expect(await authenticate({ ...base, code: recovery })).toEqual({ ok: false, reason: "invalid_code" });
    expect(await actions(person.id)).toEqual(expect.arrayContaining(["mfa.enrolled", "auth.recovery_code_used"]));
    expect((await verifyAuditChain(database.db())).ok).toBe(true);
  });
});
