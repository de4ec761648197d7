import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents, outbox, people } from "@/db/schema";
import { changePassword } from "@/lib/auth/change-password";
import { requestPasswordReset, RESETS_PER_ADDRESS_PER_HOUR, RESETS_PER_IP_PER_WINDOW } from "@/lib/auth/password-reset";
import { liveSession, startSession } from "@/lib/auth/sessions";
import { verifyPassword } from "@/lib/crypto/password";
import { setPasswordWithToken } from "@/lib/people/invitations";

import { context, createPerson, reload, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * "Forgot password?" and "Change password" attacked as a script would: 30
 * requests at once, one link used twice at once, a link used for someone
 * else, and session cookies copied before the reset.
 */

const database = withTestDatabase();
const ATTEMPTS = 30;
const together = <T>(tries: (() => Promise<T>)[]) => Promise.all(tries.map((t) => t()));

async function resetLinks(email: string): Promise<string[]> {
  const rows = await database
    .db()
    .select({ text: outbox.text })
    .from(outbox)
    .where(and(eq(outbox.toEmail, email), eq(outbox.kind, "password-reset")));
  return rows.map((r) => /\/set-password\/([A-Za-z0-9_-]{20,})/.exec(r.text ?? "")![1]);
}

describe("reset requests under attack", () => {
  it("sends at most 3 links for one address when 30 requests arrive together from many networks", async () => {
    const person = await createPerson(database.db());
    const outcomes = await together(
      Array.from(
        { length: ATTEMPTS },
        (_, i) => () => requestPasswordReset(person.email, { ip: `198.51.100.${i}`, userAgent: "attack" }),
      ),
    );
    expect(outcomes.filter((o) => o === "sent")).toHaveLength(RESETS_PER_ADDRESS_PER_HOUR);
    expect(outcomes.filter((o) => o === "throttled_address")).toHaveLength(ATTEMPTS - RESETS_PER_ADDRESS_PER_HOUR);
    expect(await resetLinks(person.email)).toHaveLength(RESETS_PER_ADDRESS_PER_HOUR);
  });

  it("serves at most 20 requests from one network across many addresses", async () => {
    const outcomes = await together(
      Array.from(
        { length: ATTEMPTS },
        (_, i) => () =>
          requestPasswordReset(`probe-${i}@attack.example`, { ip: "198.51.100.200", userAgent: "attack" }),
      ),
    );
    expect(outcomes.filter((o) => o !== "throttled_ip")).toHaveLength(RESETS_PER_IP_PER_WINDOW);
  });
});

describe("reset links under attack", () => {
  it("a link submitted twice at once sets the password once", async () => {
    const db = database.db();
    const person = await createPerson(db);
    await requestPasswordReset(person.email, { ip: "198.51.100.30", userAgent: "attack" });
    const [token] = await resetLinks(person.email);
    const passwords = Array.from({ length: ATTEMPTS }, (_, i) => `harbour lantern number ${i}`);
    const results = await Promise.allSettled(
      passwords.map((p) => setPasswordWithToken(token, p, { ...context(), ip: "198.51.100.31" })),
    );
    const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [passwords[i]] : []));
    expect(won).toHaveLength(1);
    expect(await verifyPassword(won[0], (await reload(db, person.id)).passwordHash)).toBe(true);
    const events = await db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "person.password_set"), eq(auditEvents.targetId, person.id)));
    expect(events).toHaveLength(1);
  });

  it("a link changes only the person it was sent to, and ends only their sessions", async () => {
    const db = database.db();
    const victim = await createPerson(db);
    const attacker = await createPerson(db);
    const victimSession = await startSession(db, {
      personId: victim.id,
      method: "password",
      ip: "198.51.100.40",
      userAgent: "victim",
    });
    await requestPasswordReset(attacker.email, { ip: "198.51.100.41", userAgent: "attack" });
    const [attackerToken] = await resetLinks(attacker.email);
    await setPasswordWithToken(attackerToken, "attacker chose this one", { ...context(), ip: "198.51.100.41" });
    expect(await verifyPassword(TEST_PASSWORD, (await reload(db, victim.id)).passwordHash)).toBe(true);
    expect(await liveSession(db, victimSession)).not.toBeNull();
    // A link of a person who has since been suspended does nothing.
    await requestPasswordReset(victim.email, { ip: "198.51.100.42", userAgent: "victim" });
    const [victimToken] = await resetLinks(victim.email);
    await db.update(people).set({ status: "suspended" }).where(eq(people.id, victim.id));
    await expect(
      setPasswordWithToken(victimToken, "somebody else's choice", { ...context(), ip: "198.51.100.43" }),
    ).rejects.toThrow("can no longer be used");
  });

  it("cookies copied before the reset stop working after it", async () => {
    const db = database.db();
    const person = await createPerson(db);
    // The same session id in two browsers (a stolen cookie), and a second device.
    const stolen = await startSession(db, {
      personId: person.id,
      method: "password",
      ip: "198.51.100.50",
      userAgent: "victim",
    });
    const laptop = await startSession(db, {
      personId: person.id,
      method: "password",
      ip: "198.51.100.51",
      userAgent: "victim laptop",
    });
    await requestPasswordReset(person.email, { ip: "198.51.100.52", userAgent: "victim" });
    const [token] = await resetLinks(person.email);
    await setPasswordWithToken(token, "a new and unguessed phrase", { ...context(), ip: "198.51.100.52" });
    expect(await liveSession(db, stolen)).toBeNull();
    expect(await liveSession(db, laptop)).toBeNull();
  });
});

describe("change password under attack", () => {
  it("checks at most 5 of 30 current-password guesses sent together with a stolen session", async () => {
    const db = database.db();
    const person = await createPerson(db);
    const viewer = viewerOf(person);
    const guesses = Array.from(
      { length: ATTEMPTS - 1 },
      (_, i) => () =>
        changePassword(
          viewer,
          { current: `guess-${i}`, next: "the attacker's new phrase" },
          { ...context(person.id), ip: "198.51.100.60" },
        ),
    );
    guesses.push(() =>
      changePassword(
        viewer,
        { current: TEST_PASSWORD, next: "the attacker's new phrase" },
        { ...context(person.id), ip: "198.51.100.60" },
      ),
    );
    const results = await Promise.allSettled(guesses.map((g) => g()));
    const failed = await db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.password_change_failed"), eq(auditEvents.targetId, person.id)));
    expect(failed).toHaveLength(5);
    expect(
      results.filter(
        (r) => r.status === "rejected" && /Too many wrong tries/.test(String((r.reason as Error).message)),
      ),
    ).toHaveLength(ATTEMPTS - 5);
  });
});
