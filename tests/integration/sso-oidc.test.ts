import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { auditEvents, sessions, ssoIdentities } from "@/db/schema";

import { createPerson } from "../helpers/factories";
import { startTestIdp, type TestIdp } from "../helpers/oidc-idp";
import { callbackUrlFor, configureProvider, signInThroughIdp, ssoAuthorize } from "../helpers/sso";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
let idp: TestIdp;

beforeAll(async () => {
  idp = await startTestIdp({ redirectUris: [callbackUrlFor("test-idp")] });
});
afterAll(() => idp?.close());

describe("OIDC sign-in", () => {
  it("signs a person in end to end", async () => {
    const db = database.db();
    const { id: providerId } = await configureProvider(db, idp);
    const person = await createPerson(db, { email: "alice@test.example" });
    idp.accounts.set("alice", { sub: "alice-sub", email: "alice@test.example", email_verified: true, name: "Alice" });
    const back = await signInThroughIdp(idp, "alice", "203.0.113.10");
    expect(back.error).toBeNull();
    expect(back.token).toBeTruthy();
    const user = await ssoAuthorize({ token: back.token! }, back.browserSecret, "203.0.113.10");
    expect(user.id).toBe(person.id);
    const [session] = await db.select().from(sessions).where(eq(sessions.id, user.sid));
    expect(session).toMatchObject({ method: "sso_oidc", ssoProviderId: providerId, mfaByIdp: false });
    const [link] = await db.select().from(ssoIdentities).where(eq(ssoIdentities.personId, person.id));
    expect(link.subject).toBe("alice-sub");
    const events = await db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, person.id)));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["auth.sso_linked", "auth.sso_signed_in"]));
  });
});
