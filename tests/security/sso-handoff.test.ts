import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";

import { auditEvents, identityProviders, sessions } from "@/db/schema";
import { completeSsoSignIn, takeSsoMessageOnce, type VerifiedSsoIdentity } from "@/lib/identity/sso/complete";
import { exchangeSsoHandoff, HANDOFF_TTL_MS } from "@/lib/identity/sso/handoff";

import { createPerson } from "../helpers/factories";
import { ssoAuthorize } from "../helpers/sso";
import { withTestDatabase } from "../helpers/test-database";

/**
 * The handoff from an identity provider's round trip to a session, attacked:
 * the token used twice, from another browser, late, or 30 times at once; and
 * a provider's one-time message (SAML assertion id, OIDC state) replayed at once.
 * The completion is called as the SAML layer calls it, without a protocol.
 */

const database = withTestDatabase();
let providerId: string;
let nextIp = 1;
const freshIp = () => `198.51.100.${nextIp++}`;

beforeAll(async () => {
  const now = new Date();
  const [row] = await database
    .db()
    .insert(identityProviders)
    .values({
      kind: "saml",
      slug: "attack-idp",
      name: "Attack IdP",
      enabled: true,
      settings: {},
      allowedDomains: ["test.example"],
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: identityProviders.id });
  providerId = row.id;
});

let n = 0;
async function vouchedFor(overrides: Partial<VerifiedSsoIdentity> = {}) {
  const person = await createPerson(database.db(), { email: `handoff-${++n}@test.example` });
  const completion = await completeSsoSignIn(
    {
      providerId,
      protocol: "saml",
      subject: `name-id-${n}`,
      email: person.email,
      emailVerified: true,
      claims: {},
      mfa: false,
      ...overrides,
    },
    { ip: freshIp(), userAgent: "attack" },
  );
  if (!completion.ok) throw new Error(completion.reason);
  return { person, ...completion };
}

describe("SSO handoff", () => {
  it("opens a session once: the same token again is refused and audited", async () => {
    const { person, handoffToken, browserSecret } = await vouchedFor();
    const ip = freshIp();
    expect((await ssoAuthorize({ token: handoffToken }, browserSecret, ip)).id).toBe(person.id);
    await expect(ssoAuthorize({ token: handoffToken }, browserSecret, ip)).rejects.toThrow("handoff_invalid");
    const refused = await database
      .db()
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.action, "auth.sso_refused"));
    expect(refused.some((r) => (r.data as { reason: string }).reason === "handoff_invalid")).toBe(true);
  });

  it("refuses the token in another browser (no cookie, or another browser's), and still serves its own", async () => {
    const { person, handoffToken, browserSecret } = await vouchedFor();
    const other = await vouchedFor();
    const ip = freshIp();
    await expect(ssoAuthorize({ token: handoffToken }, undefined, ip)).rejects.toThrow("handoff_invalid");
    await expect(ssoAuthorize({ token: handoffToken }, other.browserSecret, ip)).rejects.toThrow("handoff_invalid");
    await expect(ssoAuthorize({ token: handoffToken }, "x".repeat(43), ip)).rejects.toThrow("handoff_invalid");
    expect((await ssoAuthorize({ token: handoffToken }, browserSecret, ip)).id).toBe(person.id);
  });

  it("refuses a token after two minutes", async () => {
    const { handoffToken, browserSecret } = await vouchedFor();
    const late = await exchangeSsoHandoff({
      token: handoffToken,
      browserSecret,
      ip: freshIp(),
      userAgent: "attack",
      now: new Date(Date.now() + HANDOFF_TTL_MS + 1000),
    });
    expect(late).toMatchObject({ ok: false, reason: "handoff_invalid" });
  });

  it("opens one session for 30 exchanges of one token sent together", async () => {
    const { person, handoffToken, browserSecret } = await vouchedFor();
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => ssoAuthorize({ token: handoffToken }, browserSecret, freshIp())),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await database.db().select().from(sessions).where(eq(sessions.personId, person.id))).toHaveLength(1);
  });

  it("refuses a handoff once its provider is disabled", async () => {
    const { handoffToken, browserSecret } = await vouchedFor();
    await database.db().update(identityProviders).set({ enabled: false }).where(eq(identityProviders.id, providerId));
    try {
      await expect(ssoAuthorize({ token: handoffToken }, browserSecret, freshIp())).rejects.toThrow("handoff_invalid");
    } finally {
      await database.db().update(identityProviders).set({ enabled: true }).where(eq(identityProviders.id, providerId));
    }
  });

  it("takes a provider's message id once, however many arrive together", async () => {
    const expires = new Date(Date.now() + 60_000);
    const taken = await Promise.all(
      Array.from({ length: 30 }, () => takeSsoMessageOnce(database.db(), providerId, "assertion-123", expires)),
    );
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it("refuses a protocol that is not the provider's", async () => {
    const person = await createPerson(database.db(), { email: "wrong-protocol@test.example" });
    const completion = await completeSsoSignIn(
      {
        providerId,
        protocol: "oidc",
        subject: "s",
        email: person.email,
        emailVerified: true,
        claims: {},
        mfa: true,
      },
      { ip: freshIp(), userAgent: "attack" },
    );
    expect(completion).toEqual({ ok: false, reason: "provider_disabled" });
  });
});
