import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents, passkeys, people } from "@/db/schema";
import { authenticate } from "@/lib/auth/authenticate";
import { changePassword } from "@/lib/auth/change-password";
import { signInWithPasskey, startPasskeyPrompt } from "@/lib/auth/passkey-sign-in";
import { finishPasskeyRegistration, removePasskey, startPasskeyRegistration } from "@/lib/auth/passkeys";
import { startSession } from "@/lib/auth/sessions";
import { verifyPassword } from "@/lib/crypto/password";
import { DomainError } from "@/lib/errors";

import { context, createPerson, reload, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { softAuthenticator } from "../helpers/soft-authenticator";
import { withTestDatabase } from "../helpers/test-database";

/**
 * Passkeys attacked as a script would: one answer sent 30 times at once, an
 * answer carried to another browser or session, an answer made for another
 * origin, a cloned authenticator's old counter, another person's passkey.
 */

const database = withTestDatabase();
const ATTEMPTS = 30;

async function personWithPasskey(roles: ("manager" | "auditor")[] = []) {
  const db = database.db();
  const person = await createPerson(db, { roles });
  const viewer = viewerOf(person);
  const sid = await startSession(db, {
    personId: person.id,
    method: "password",
    ip: "198.51.100.1",
    userAgent: "vitest",
  });
  const device = softAuthenticator();
  const options = await startPasskeyRegistration(viewer, sid);
  const { firstFactor } = await finishPasskeyRegistration(
    viewer,
    sid,
    device.register(options.challenge),
    "Laptop",
    context(person.id),
  );
  return { person, viewer: { ...viewer, mfaEnabled: true }, sid, device, firstFactor };
}

const prompt = async (browserSecret: string) => (await startPasskeyPrompt(browserSecret, "198.51.100.2")).challenge;
const signInAs = (
  response: ReturnType<ReturnType<typeof softAuthenticator>["assert"]>,
  browserSecret: string,
  ip = "198.51.100.3",
) => signInWithPasskey({ response, browserSecret, ip, userAgent: "attack" });

describe("passkey registration", () => {
  it("turns MFA on with the first passkey, and an answer works only in the session that asked", async () => {
    const db = database.db();
    const { person, viewer, device, firstFactor } = await personWithPasskey();
    expect(firstFactor).toBe(true);
    expect((await reload(db, person.id)).mfaEnabledAt).not.toBeNull();
    const mine = await startSession(db, {
      personId: person.id,
      method: "password",
      ip: "198.51.100.1",
      userAgent: "vitest",
    });
    const other = await startSession(db, {
      personId: person.id,
      method: "password",
      ip: "198.51.100.9",
      userAgent: "stolen",
    });
    const second = softAuthenticator();
    const options = await startPasskeyRegistration(viewer, mine);
    await expect(
      finishPasskeyRegistration(viewer, other, second.register(options.challenge), "Rogue", context(person.id)),
    ).rejects.toThrow("expired");
    // Nor from another origin, even in the right session.
    const again = await startPasskeyRegistration(viewer, mine);
    await expect(
      finishPasskeyRegistration(
        viewer,
        mine,
        second.register(again.challenge, { origin: "https://evil.example" }),
        "Rogue",
        context(person.id),
      ),
    ).rejects.toThrow("could not be verified");
    expect(await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.personId, person.id))).toHaveLength(1);
    expect(device.credentialId).toBeTruthy();
  });

  it("keeps the last second factor of a person whose role requires MFA", async () => {
    const db = database.db();
    const { person, viewer } = await personWithPasskey(["manager"]);
    const [key] = await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.personId, person.id));
    await expect(removePasskey(viewer, key.id, context(person.id))).rejects.toThrow(DomainError);
    expect(await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.personId, person.id))).toHaveLength(1);
  });
});

describe("passkey sign-in under attack", () => {
  it("one answer sent 30 times at once opens one session, even from a passkey that keeps no counter", async () => {
    const { device } = await personWithPasskey();
    // Synced passkeys report 0 every time: only the single-use challenge stops a replay.
    const answer = device.assert(await prompt("browser-a-secret-0001"), { counter: 0 });
    const results = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, i) => signInAs(answer, "browser-a-secret-0001", `198.51.100.${100 + i}`)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("an answer carried to another browser is refused", async () => {
    const { device } = await personWithPasskey();
    const answer = device.assert(await prompt("browser-a-secret-0002"));
    expect(await signInAs(answer, "browser-b-secret-0002")).toMatchObject({ ok: false, reason: "invalid_passkey" });
  });

  it("an answer made for another origin is refused", async () => {
    const { device } = await personWithPasskey();
    const answer = device.assert(await prompt("browser-a-secret-0003"), { origin: "https://clearance-login.example" });
    expect(await signInAs(answer, "browser-a-secret-0003")).toMatchObject({ ok: false, reason: "invalid_passkey" });
  });

  it("a cloned authenticator's old counter is refused", async () => {
    const { device } = await personWithPasskey();
    expect(
      await signInAs(device.assert(await prompt("browser-a-secret-0004"), { counter: 7 }), "browser-a-secret-0004"),
    ).toMatchObject({ ok: true });
    expect(
      await signInAs(device.assert(await prompt("browser-a-secret-0004"), { counter: 7 }), "browser-a-secret-0004"),
    ).toMatchObject({ ok: false });
    expect(
      await signInAs(device.assert(await prompt("browser-a-secret-0004"), { counter: 3 }), "browser-a-secret-0004"),
    ).toMatchObject({ ok: false });
    const failures = await database
      .db()
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.action, "auth.sign_in_failed"));
    expect(failures.map((f) => f.data)).toContainEqual({ reason: "replayed_counter", method: "passkey" });
  });

  it("an expired prompt is refused", async () => {
    const { device } = await personWithPasskey();
    const answer = device.assert(await prompt("browser-a-secret-0005"));
    const later = new Date(Date.now() + 6 * 60_000);
    expect(
      await signInWithPasskey({
        response: answer,
        browserSecret: "browser-a-secret-0005",
        ip: "198.51.100.5",
        userAgent: "x",
        now: later,
      }),
    ).toMatchObject({ ok: false });
  });

  it("after a password, another person's passkey is not a second factor; the person's own is, and the audit names it", async () => {
    const db = database.db();
    const victim = await personWithPasskey();
    const attacker = await personWithPasskey();
    expect(
      await authenticate({ email: victim.person.email, password: TEST_PASSWORD, ip: "198.51.100.6", userAgent: "x" }),
    ).toMatchObject({ ok: false, reason: "mfa_required", factors: ["passkey"] });
    const foreign = attacker.device.assert(await prompt("browser-a-secret-0006"));
    const refused = await authenticate({
      email: victim.person.email,
      password: TEST_PASSWORD,
      passkey: { response: foreign, browserSecret: "browser-a-secret-0006" },
      ip: "198.51.100.6",
      userAgent: "x",
    });
    expect(refused).toMatchObject({ ok: false, reason: "invalid_passkey" });
    const own = victim.device.assert(await prompt("browser-a-secret-0006"));
    const accepted = await authenticate({
      email: victim.person.email,
      password: TEST_PASSWORD,
      passkey: { response: own, browserSecret: "browser-a-secret-0006" },
      ip: "198.51.100.6",
      userAgent: "x",
    });
    expect(accepted).toMatchObject({ ok: true, method: "password+passkey" });
    const [event] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.signed_in"), eq(auditEvents.targetId, victim.person.id)));
    expect(event.data).toEqual({ method: "password+passkey", phishingResistant: true });
    // A suspended person's passkey opens nothing.
    await db.update(people).set({ status: "suspended" }).where(eq(people.id, victim.person.id));
    expect(
      await signInAs(victim.device.assert(await prompt("browser-a-secret-0007")), "browser-a-secret-0007"),
    ).toMatchObject({ ok: false });
  });
});

describe("changing a password when passkeys are the second factor", () => {
  const NEXT = "eight ch";

  it("needs one of the person's own passkeys, answered in this browser, once", async () => {
    const db = database.db();
    const { person, viewer, device } = await personWithPasskey();
    const attacker = await personWithPasskey();
    const ctx = { ...context(person.id), ip: "198.51.100.8", userAgent: "x" };

    // The password alone no longer does, though the person has no authenticator app.
    await expect(changePassword(viewer, { current: TEST_PASSWORD, next: NEXT }, ctx)).rejects.toMatchObject({
      field: "passkey",
      code: "passkey_required",
    });
    // Another person's passkey, or an answer carried to another browser, is refused.
    const foreign = attacker.device.assert(await prompt("browser-c-secret-0001"));
    await expect(
      changePassword(
        viewer,
        { current: TEST_PASSWORD, next: NEXT, passkey: { response: foreign, browserSecret: "browser-c-secret-0001" } },
        ctx,
      ),
    ).rejects.toMatchObject({ field: "passkey" });
    const carried = device.assert(await prompt("browser-c-secret-0002"));
    await expect(
      changePassword(
        viewer,
        { current: TEST_PASSWORD, next: NEXT, passkey: { response: carried, browserSecret: "browser-c-secret-0099" } },
        ctx,
      ),
    ).rejects.toMatchObject({ field: "passkey" });
    expect(await verifyPassword(TEST_PASSWORD, (await reload(db, person.id)).passwordHash)).toBe(true);

    // One answer sent 30 times at once changes the password once.
    const answer = device.assert(await prompt("browser-c-secret-0003"));
    const results = await Promise.allSettled(
      Array.from({ length: ATTEMPTS }, () =>
        changePassword(
          viewer,
          { current: TEST_PASSWORD, next: NEXT, passkey: { response: answer, browserSecret: "browser-c-secret-0003" } },
          ctx,
        ),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await verifyPassword(NEXT, (await reload(db, person.id)).passwordHash)).toBe(true);
    const changed = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "person.password_changed"), eq(auditEvents.targetId, person.id)));
    expect(changed).toHaveLength(1);
    expect(changed[0].data).toMatchObject({ factor: "password+passkey" });
  });
});
