import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";

import { auditEvents, outbox, passwordTokens, people } from "@/db/schema";
import { changePassword } from "@/lib/auth/change-password";
import { confirmMfaEnrolment, startMfaEnrolment } from "@/lib/auth/mfa";
import { requestPasswordReset } from "@/lib/auth/password-reset";
import { liveSession, startSession } from "@/lib/auth/sessions";
import { sha256Hex } from "@/lib/crypto/hash";
import { verifyPassword } from "@/lib/crypto/password";
import { stepAt, totpAt } from "@/lib/crypto/totp";
import { FieldError } from "@/lib/errors";
import { passwordLinkView, setPasswordWithToken } from "@/lib/people/invitations";

import { context, createPerson, reload, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const request = vi.hoisted(() => ({
  headers: new Headers({ "x-forwarded-for": "203.0.113.9", "user-agent": "vitest" }),
}));
vi.mock("next/headers", () => ({ headers: async () => request.headers }));

const database = withTestDatabase();
const meta = (ip = "203.0.113.5") => ({ ip, userAgent: "vitest" });
const NEW_PASSWORD = "quiet lantern over the harbour";

async function resetLinksFor(email: string): Promise<string[]> {
  const rows = await database
    .db()
    .select({ text: outbox.text })
    .from(outbox)
    .where(and(eq(outbox.toEmail, email), eq(outbox.kind, "password-reset")));
  return rows.map((r) => /\/set-password\/([A-Za-z0-9_-]{20,})/.exec(r.text ?? "")![1]);
}

const openSession = (personId: string, now = new Date()) =>
  startSession(database.db(), { personId, method: "password", ip: "203.0.113.1", userAgent: "vitest" }, now);

describe("forgot password", () => {
  it("emails a single-use link valid for 30 minutes, stores only its hash, and ends every session when used", async () => {
    const db = database.db();
    const person = await createPerson(db, { name: "Rosa Park" });
    const sessions = [await openSession(person.id), await openSession(person.id)];
    const now = new Date();
    expect(await requestPasswordReset(` ${person.email.toUpperCase()} `, meta(), now)).toBe("sent");
    const [token] = await resetLinksFor(person.email);
    const [row] = await db
      .select({
        tokenHash: passwordTokens.tokenHash,
        purpose: passwordTokens.purpose,
        expiresAt: passwordTokens.expiresAt,
      })
      .from(passwordTokens)
      .where(eq(passwordTokens.personId, person.id));
    expect(row).toEqual({
      tokenHash: sha256Hex(token),
      purpose: "reset",
      expiresAt: new Date(now.getTime() + 30 * 60_000),
    });
    expect(
      (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(passwordTokens)
          .where(eq(passwordTokens.tokenHash, token))
      )[0].n,
    ).toBe(0);

    expect(await passwordLinkView(token, now)).toMatchObject({ state: "ready", purpose: "reset", minLength: 15 });
    expect(await passwordLinkView(token, new Date(now.getTime() + 31 * 60_000))).toEqual({
      state: "expired",
      purpose: "reset",
    });

    await setPasswordWithToken(token, NEW_PASSWORD, context(), now);
    expect(await verifyPassword(NEW_PASSWORD, (await reload(db, person.id)).passwordHash)).toBe(true);
    for (const sid of sessions) expect(await liveSession(db, sid)).toBeNull();
    await expect(setPasswordWithToken(token, "another quiet harbour lantern", context(), now)).rejects.toThrow(
      "Forgot password?",
    );
    expect(await passwordLinkView(token, now)).toEqual({ state: "used", purpose: "reset" });
  });

  it("answers the same for an unknown, a suspended and a real address, and emails only the real one", async () => {
    const db = database.db();
    const suspended = await createPerson(db, { status: "suspended" });
    expect(await requestPasswordReset("nobody-here@test.example", meta("203.0.113.20"))).toBe("no_account");
    expect(await requestPasswordReset(suspended.email, meta("203.0.113.20"))).toBe("no_account");
    expect(await resetLinksFor("nobody-here@test.example")).toEqual([]);
    expect(await resetLinksFor(suspended.email)).toEqual([]);
    const events = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.action, "auth.password_reset_requested"));
    expect(events.map((e) => e.data)).toEqual(
      expect.arrayContaining([{ account: "unknown" }, { account: "account_suspended" }]),
    );
  });

  it("the form gives one answer whether or not the address has an account", async () => {
    const { requestReset } = await import("@/app/forgot-password/actions");
    const person = await createPerson(database.db());
    const ask = (email: string) => {
      const form = new FormData();
      form.set("email", email);
      return requestReset(null, form);
    };
    const known = await ask(person.email);
    const unknown = await ask("no-such-person@test.example");
    expect(known).toEqual(unknown);
    expect(known).toMatchObject({ ok: true });
    expect(await resetLinksFor(person.email)).toHaveLength(1);
    expect(await ask("not an address")).toMatchObject({ ok: false, fieldErrors: { email: [expect.any(String)] } });
  });

  it("a person with MFA may choose 8 characters; without, 15", async () => {
    const db = database.db();
    const person = await createPerson(db);
    await db.update(people).set({ mfaEnabledAt: new Date() }).where(eq(people.id, person.id));
    await requestPasswordReset(person.email, meta("203.0.113.30"));
    const [token] = await resetLinksFor(person.email);
    expect(await passwordLinkView(token)).toMatchObject({ minLength: 8 });
    await expect(setPasswordWithToken(token, "Passw0rd!", context())).rejects.toThrow("attackers try first");
    await setPasswordWithToken(token, "kettle-moss", context());
  });
});

describe("change password", () => {
  it("needs the current password, checks the new one, and ends every other session", async () => {
    const db = database.db();
    const person = await createPerson(db, { name: "Omar Vale" });
    const viewer = viewerOf(person);
    const other = await openSession(person.id);
    await expect(
      changePassword(viewer, { current: "not my password", next: NEW_PASSWORD }, context(person.id)),
    ).rejects.toMatchObject({ field: "current" });
    const weak = changePassword(viewer, { current: TEST_PASSWORD, next: "short one" }, context(person.id));
    await expect(weak).rejects.toBeInstanceOf(FieldError);
    await expect(
      changePassword(viewer, { current: TEST_PASSWORD, next: "short one" }, context(person.id)),
    ).rejects.toMatchObject({ field: "next", message: expect.stringContaining("at least 15") });
    expect(await liveSession(db, other)).not.toBeNull();

    const { sessionId } = await changePassword(
      viewer,
      { current: TEST_PASSWORD, next: NEW_PASSWORD },
      context(person.id),
    );
    expect(await verifyPassword(NEW_PASSWORD, (await reload(db, person.id)).passwordHash)).toBe(true);
    expect(await liveSession(db, other)).toBeNull();
    expect(await liveSession(db, sessionId)).not.toBeNull();
    const [event] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "person.password_changed"), eq(auditEvents.targetId, person.id)));
    expect(event.data).toEqual({ via: "account", factor: "password", sessionsEnded: 1 });
  });

  it("asks for the authenticator code when the person is enrolled", async () => {
    const db = database.db();
    const person = await createPerson(db, { roles: ["manager"] });
    const viewer = viewerOf(person);
    const now = new Date();
    const enrolment = await startMfaEnrolment(viewer);
    const confirmed = await confirmMfaEnrolment(
      viewer,
      totpAt(enrolment.secret, stepAt(now) - 10),
      context(person.id),
      new Date(now.getTime() - 300_000),
    );
    expect(confirmed.ok).toBe(true);
    const enrolled = { ...viewer, mfaEnabled: true };
    await expect(
      changePassword(enrolled, { current: TEST_PASSWORD, next: "eight ch" }, context(person.id), now),
    ).rejects.toMatchObject({ field: "code" });
    await expect(
      changePassword(enrolled, { current: TEST_PASSWORD, next: "eight ch", code: "000000" }, context(person.id), now),
    ).rejects.toMatchObject({ field: "code" });
    await changePassword(
      enrolled,
      { current: TEST_PASSWORD, next: "eight ch", code: totpAt(enrolment.secret, stepAt(now)) },
      context(person.id),
      now,
    );
    expect(await verifyPassword("eight ch", (await reload(db, person.id)).passwordHash)).toBe(true);
  });
});
