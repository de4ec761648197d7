import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents, loginAttempts } from "@/db/schema";
import { openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { authenticate, type SignInResult } from "@/lib/auth/authenticate";
import { confirmMfaEnrolment, startMfaEnrolment } from "@/lib/auth/mfa";
import { stepAt, totpAt } from "@/lib/crypto/totp";
import { DomainError } from "@/lib/errors";

import { consentToSign } from "../helpers/consent";
import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * Every "at most N tries" limit, attacked the way a script would: 30 tries
 * sent at the same moment, the right one among them. A limit read before the
 * slow check and written after it lets them all through; these must not.
 */

const database = withTestDatabase();
const ATTEMPTS = 30;

/** Fires every try at once and waits for all of them. */
const together = <T>(tries: (() => Promise<T>)[]) => Promise.all(tries.map((t) => t()));

const evaluated = (results: SignInResult[]) => results.filter((r) => r.ok || r.reason !== "locked");

async function auditCount(action: string, targetId: string) {
  return (
    await database
      .db()
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, action), eq(auditEvents.targetId, targetId)))
  ).length;
}

async function enrolledManager(now: Date) {
  const person = await createPerson(database.db(), { roles: ["manager"] });
  const viewer = viewerOf(person);
  const enrolment = await startMfaEnrolment(viewer);
  const confirmed = await confirmMfaEnrolment(
    viewer,
    totpAt(enrolment.secret, stepAt(now) - 10),
    context(person.id),
    new Date(now.getTime() - 300_000),
  );
  if (!confirmed.ok) throw new Error(confirmed.message);
  return { person, secret: enrolment.secret, recoveryCodes: confirmed.recoveryCodes };
}

describe("sign-in limits under concurrent tries", () => {
  it("checks at most 5 of 30 wrong passwords sent together for one account", async () => {
    const person = await createPerson(database.db());
    const results = await together(
      Array.from(
        { length: ATTEMPTS },
        (_, i) => () =>
          authenticate({ email: person.email, password: `wrong-${i}`, ip: `198.51.100.${i}`, userAgent: "attack" }),
      ),
    );
    expect(evaluated(results)).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.reason === "locked")).toHaveLength(ATTEMPTS - 5);
    expect(await auditCount("auth.sign_in_failed", person.id)).toBe(5);
    expect(await auditCount("auth.locked", person.id)).toBe(1);
  });

  it("refuses the right password when it arrives among 29 wrong ones beyond the limit", async () => {
    const person = await createPerson(database.db());
    const tries = Array.from(
      { length: ATTEMPTS - 1 },
      (_, i) => () =>
        authenticate({ email: person.email, password: `wrong-${i}`, ip: "198.51.100.1", userAgent: "attack" }),
    );
    tries.push(() =>
      authenticate({ email: person.email, password: TEST_PASSWORD, ip: "198.51.100.1", userAgent: "attack" }),
    );
    const results = await together(tries);
    expect(evaluated(results).length).toBeLessThanOrEqual(5);
    expect(results.at(-1)).toMatchObject({ ok: false, reason: "locked" });
    expect(results.filter((r) => r.ok)).toHaveLength(0);
  });

  it("checks at most 20 tries from one IP across many accounts", async () => {
    const results = await together(
      Array.from(
        { length: ATTEMPTS },
        (_, i) => () =>
          authenticate({
            email: `spray-${i}@attack.example`,
            password: "wrong",
            ip: "198.51.100.77",
            userAgent: "attack",
          }),
      ),
    );
    expect(evaluated(results)).toHaveLength(20);
    const refused = await database
      .db()
      .select({ id: loginAttempts.id })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.ip, "198.51.100.77"), eq(loginAttempts.outcome, "refused")));
    expect(refused).toHaveLength(ATTEMPTS - 20);
  });

  it("opens one session for one authenticator code, however many sign-ins carry it", async () => {
    const now = new Date();
    const { person, secret } = await enrolledManager(now);
    const code = totpAt(secret, stepAt(now));
    const results = await together(
      Array.from(
        { length: 6 },
        () => () =>
          authenticate({
            email: person.email,
            password: TEST_PASSWORD,
            code,
            ip: "198.51.100.2",
            userAgent: "attack",
            now,
          }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    // The rest are refused: the code was used, or (the sixth) the account's 5 tries were all in flight.
    expect(results.filter((r) => !r.ok && (r.reason === "invalid_code" || r.reason === "locked"))).toHaveLength(5);
  });

  it("accepts one recovery code once when it is sent five times together", async () => {
    const now = new Date();
    const { person, recoveryCodes } = await enrolledManager(now);
    const results = await together(
      Array.from(
        { length: 5 },
        () => () =>
          authenticate({
            email: person.email,
            password: TEST_PASSWORD,
            code: recoveryCodes[0],
            ip: "198.51.100.3",
            userAgent: "attack",
            now,
          }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("gives a second step back: a right password without its code is not a failure", async () => {
    const now = new Date();
    const { person, secret } = await enrolledManager(now);
    for (let i = 0; i < 8; i++) {
      expect(
        await authenticate({ email: person.email, password: TEST_PASSWORD, ip: "198.51.100.4", userAgent: "ui", now }),
      ).toEqual({ ok: false, reason: "mfa_required", factors: ["totp"] });
    }
    const code = totpAt(secret, stepAt(now));
    expect(
      await authenticate({
        email: person.email,
        password: TEST_PASSWORD,
        code,
        ip: "198.51.100.4",
        userAgent: "ui",
        now,
      }),
    ).toMatchObject({ ok: true });
  });
});

describe("re-authentication before signing under concurrent tries", () => {
  it("checks at most 5 of 30 confirmations sent together and records each in sign-in attempts", async () => {
    const person = await createPerson(database.db(), { name: "Rae Quinn" });
    const viewer = viewerOf(person);
    const ctx = { ...context(person.id), ip: "198.51.100.9", userAgent: "attack" };
    const opened = await openSigning(viewer, "employee-nda", ctx.ip);
    await consentToSign(viewer, ctx, "employee-nda", opened.ceremony.id);
    const sign = (password: string) => () =>
      signAsEmployee(viewer, ctx, {
        agreementId: "employee-nda",
        ceremonyId: opened.ceremony.id,
        password,
        typedName: "Rae Quinn",
      }).then(
        () => "signed" as const,
        (error: unknown) => (error instanceof DomainError ? error.code : "error"),
      );
    const tries = Array.from({ length: ATTEMPTS - 1 }, (_, i) => sign(`wrong-${i}`));
    tries.push(sign(TEST_PASSWORD));
    const outcomes = await together(tries);
    expect(outcomes.filter((o) => o === "reauth_failed" || o === "signed").length).toBeLessThanOrEqual(5);
    expect(outcomes.at(-1)).toBe("reauth_locked");
    expect(outcomes).not.toContain("signed");
    const failures = await database
      .db()
      .select({ id: loginAttempts.id })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.email, person.email), eq(loginAttempts.outcome, "failure")));
    expect(failures.length).toBe(outcomes.filter((o) => o === "reauth_failed").length);
    // The account's sign-in limit is spent too: the attacker cannot move on to the sign-in form.
    expect(
      await authenticate({ email: person.email, password: TEST_PASSWORD, ip: "198.51.100.10", userAgent: "ui" }),
    ).toMatchObject({ ok: false, reason: "locked" });
  });
});

describe("an authenticator code before signing under concurrent tries", () => {
  it("signs once for one code sent to two signings at once, and refuses a code already used to sign in", async () => {
    const now = new Date();
    const { person, secret } = await enrolledManager(now);
    const viewer = viewerOf(person);
    const ctx = { ...context(person.id), ip: "198.51.100.11", userAgent: "attack" };
    const ceremonies = [];
    for (const agreementId of ["employee-nda", "acceptable-use-attestation"]) {
      const opened = await openSigning(viewer, agreementId, ctx.ip, now);
      await consentToSign(viewer, ctx, agreementId, opened.ceremony.id, now);
      ceremonies.push({ agreementId, ceremonyId: opened.ceremony.id });
    }
    const code = totpAt(secret, stepAt(now));
    const outcomes = await together(
      [...ceremonies, ...ceremonies, ...ceremonies].map(
        ({ agreementId, ceremonyId }) =>
          () =>
            signAsEmployee(viewer, ctx, { agreementId, ceremonyId, code, typedName: person.name }, now).then(
              () => "signed" as const,
              (error: unknown) => (error instanceof DomainError ? error.code : "error"),
            ),
      ),
    );
    expect(outcomes.filter((o) => o === "signed")).toHaveLength(1);
    expect(outcomes).not.toContain("error");

    // The next code, used to sign in, cannot then confirm the other signing.
    const later = new Date(now.getTime() + 30_000);
    const next = totpAt(secret, stepAt(later));
    expect(
      await authenticate({
        email: person.email,
        password: TEST_PASSWORD,
        code: next,
        ip: "198.51.100.12",
        userAgent: "ui",
        now: later,
      }),
    ).toMatchObject({ ok: true });
    const unsigned = outcomes.indexOf("signed") % 2 === 0 ? ceremonies[1]! : ceremonies[0]!;
    await expect(
      signAsEmployee(viewer, ctx, { ...unsigned, code: next, typedName: person.name }, later),
    ).rejects.toMatchObject({ code: "reauth_failed" });
  });
});
