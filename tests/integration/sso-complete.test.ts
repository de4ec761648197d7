import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";

import { identityProviders, people, ssoIdentities } from "@/db/schema";
import { completeSsoSignIn, type SsoCompletion, type VerifiedSsoIdentity } from "@/lib/identity/sso/complete";

import { createPerson } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * First sign-ins through a provider that arrive together: a double click on
 * the provider's button, or a browser retrying. Each must end in a sign-in
 * of the same person, with one link and, when the provider creates people,
 * one new person; never a server error.
 */

const database = withTestDatabase();
const AT_ONCE = 30;
let jitProviderId: string;
let linkProviderId: string;
let ip = 1;

async function provider(slug: string, jitProvisioning: boolean): Promise<string> {
  const now = new Date();
  const [row] = await database
    .db()
    .insert(identityProviders)
    .values({
      kind: "saml",
      slug,
      name: slug,
      enabled: true,
      settings: {},
      allowedDomains: ["race.example"],
      jitProvisioning,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: identityProviders.id });
  return row.id;
}

beforeAll(async () => {
  jitProviderId = await provider("race-jit", true);
  linkProviderId = await provider("race-link", false);
});

function together(identity: VerifiedSsoIdentity): Promise<SsoCompletion[]> {
  return Promise.all(
    Array.from({ length: AT_ONCE }, () => completeSsoSignIn(identity, { ip: `203.0.113.${ip++}`, userAgent: "race" })),
  );
}

const identity = (providerId: string, subject: string, email: string): VerifiedSsoIdentity => ({
  providerId,
  protocol: "saml",
  subject,
  email,
  emailVerified: true,
  name: "Noor Haddad",
  claims: {},
  mfa: false,
});

describe("first sign-ins of one subject at the same moment", () => {
  it("creates one person and one link when the provider creates people, and signs every try in as them", async () => {
    const outcomes = await together(identity(jitProviderId, "new-subject", "noor.haddad@race.example"));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const created = await database
      .db()
      .select({ id: people.id })
      .from(people)
      .where(eq(people.email, "noor.haddad@race.example"));
    expect(created).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.ok && o.personId))).toEqual(new Set([created[0]!.id]));
    const links = await database
      .db()
      .select({ personId: ssoIdentities.personId })
      .from(ssoIdentities)
      .where(eq(ssoIdentities.subject, "new-subject"));
    expect(links).toEqual([{ personId: created[0]!.id }]);
  });

  it("links an existing person once, and signs every try in as them", async () => {
    const person = await createPerson(database.db(), { email: "ines.moreau@race.example" });
    const outcomes = await together(identity(linkProviderId, "existing-subject", person.email));
    expect(outcomes.map((o) => (o.ok ? o.personId : o.reason))).toEqual(Array(AT_ONCE).fill(person.id));
    const links = await database
      .db()
      .select({ subject: ssoIdentities.subject })
      .from(ssoIdentities)
      .where(eq(ssoIdentities.personId, person.id));
    expect(links).toEqual([{ subject: "existing-subject" }]);
  });

  it("still refuses a second subject for an address already linked to another", async () => {
    const person = await createPerson(database.db(), { email: "li.wei@race.example" });
    const first = await completeSsoSignIn(identity(linkProviderId, "first-subject", person.email), {
      ip: "203.0.113.250",
      userAgent: "race",
    });
    expect(first.ok).toBe(true);
    const second = await completeSsoSignIn(identity(linkProviderId, "reused-address", person.email), {
      ip: "203.0.113.251",
      userAgent: "race",
    });
    expect(second).toEqual({ ok: false, reason: "subject_conflict" });
  });
});
