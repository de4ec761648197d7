import "server-only";

import { and, eq, ilike, or, sql } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { departments, identityProviders, loginAttempts, people, ssoIdentities, ssoReplays } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { settleAttempt, takeAttempt } from "@/lib/auth/attempt-limit";
import { normaliseEmail } from "@/lib/auth/authenticate";
import { ipLimit, minutesUntil } from "@/lib/auth/throttle";
import { domainAllowed } from "@/lib/identity/providers/settings";
import { isReportOf } from "@/lib/people/reporting-line";
import { syncAssignments } from "@/lib/training/assignments";

import { createHandoff } from "./handoff";

/**
 * The one way a sign-in through an identity provider ends, whatever the
 * protocol: the protocol layer (lib/identity/oidc, lib/identity/saml) checks
 * the provider's answer (signature, audience, issuer, state or InResponseTo,
 * one-time use) and passes what it proved here; this decides who the person
 * is and whether they may come in, and hands the browser a one-time token
 * that the "sso" sign-in of next-auth exchanges for a session.
 */

export type SsoProtocol = "oidc" | "saml";

/** What the provider vouched for, after the protocol layer verified its answer. */
export type VerifiedSsoIdentity = {
  providerId: string;
  protocol: SsoProtocol;
  /** The provider's stable id for the person (OIDC `sub`, SAML NameID). */
  subject: string;
  email: string;
  /** Whether the provider says it verified the address (OIDC `email_verified`; SAML: the provider is trusted for it). */
  emailVerified: boolean;
  /** A display name for a person created on first sign-in. */
  name?: string | null;
  /** Every claim or attribute, for the department, manager and title mapping. */
  claims: Record<string, unknown>;
  /** The provider reported that the person used more than one factor (amr/acr, AuthnContextClassRef). */
  mfa: boolean;
};

export type SsoRequestContext = { ip: string; userAgent: string | null; now?: Date };

export type SsoRefusalReason =
  | "locked"
  | "provider_unknown"
  | "provider_disabled"
  | "invalid_response"
  | "replayed"
  | "email_unverified"
  | "domain_not_allowed"
  | "subject_conflict"
  | "no_account"
  | "account_inactive"
  | "handoff_invalid";

export type SsoCompletion =
  | {
      ok: true;
      personId: string;
      /** Goes to the browser once (in a URL fragment); only its hash is stored. */
      handoffToken: string;
      /** Goes to the same browser as an HttpOnly cookie; the token is refused without it. */
      browserSecret: string;
    }
  | { ok: false; reason: SsoRefusalReason; retryInMinutes?: number };

/** What the person is told for each refusal: enough to act on, nothing about other accounts. */
export const SSO_REFUSAL_MESSAGES: Record<SsoRefusalReason, string> = {
  locked: "Too many sign-in attempts from your network. Try again later.",
  provider_unknown: "That sign-in option does not exist. Choose one on the sign-in page.",
  provider_disabled: "That sign-in option is turned off. Contact your compliance team.",
  invalid_response: "The identity provider's answer could not be accepted. Start again from the sign-in page.",
  replayed: "That sign-in was already used. Start again from the sign-in page.",
  email_unverified: "Your identity provider has not verified your email address, so it cannot sign you in here.",
  domain_not_allowed: "Your email address's domain may not sign in through this identity provider.",
  subject_conflict:
    "Your email address is linked to another account at this identity provider. Contact your compliance team.",
  no_account: "There is no Clearance account for your email address. Ask your compliance team to add you.",
  account_inactive: "This account is not active. Contact your compliance team.",
  handoff_invalid: "That sign-in link has expired or was opened in another browser. Start again from the sign-in page.",
};

const anonymous = (ctx: SsoRequestContext): AuditContext => ({
  actorId: null,
  actorLabel: "anonymous",
  ip: ctx.ip,
  userAgent: ctx.userAgent,
});

/**
 * Records a refused sign-in through a provider (audit `auth.sso_refused` with
 * the reason) and counts it against the address's sign-in limit. For the
 * protocol layer too: a bad signature, a replayed state or assertion.
 * `detail` is a short code for the log, never the provider's raw text.
 */
export async function refuseSsoSignIn(
  providerId: string | null,
  reason: SsoRefusalReason,
  ctx: SsoRequestContext,
  extra: { personId?: string; email?: string; detail?: string } = {},
): Promise<SsoCompletion & { ok: false }> {
  const db = await getDb();
  const now = ctx.now ?? new Date();
  const taken = reason === "locked" ? null : await takeAttempt(db, ipLimit(ctx.ip), now);
  await db.transaction(async (tx) => {
    await tx
      .insert(loginAttempts)
      .values({ email: extra.email?.slice(0, 320) ?? "(sso)", ip: ctx.ip, outcome: "failure", at: now });
    await recordAudit(
      tx,
      anonymous(ctx),
      {
        action: "auth.sso_refused",
        ...(extra.personId ? { targetType: "person", targetId: extra.personId } : {}),
        data: { reason, provider: providerId, ...(extra.detail ? { detail: extra.detail.slice(0, 100) } : {}) },
      },
      now,
    );
  });
  if (taken && !taken.ok) return { ok: false, reason: "locked", retryInMinutes: minutesUntil(taken.retryAt, now) };
  return { ok: false, reason };
}

type Provider = typeof identityProviders.$inferSelect;

/**
 * Completes a sign-in the provider vouched for. In order: the address's
 * sign-in limit (taken first, atomically), the provider is enabled, the
 * address is verified and in an allowed domain, the person is found by the
 * provider's subject, else by the verified address (and the link is kept),
 * else created when the provider allows it; the person is active. The
 * second factor for privileged roles is settled when the token is exchanged
 * (lib/identity/sso/handoff.ts).
 */
export async function completeSsoSignIn(identity: VerifiedSsoIdentity, ctx: SsoRequestContext): Promise<SsoCompletion> {
  const db = await getDb();
  const now = ctx.now ?? new Date();
  const fromIp = ipLimit(ctx.ip);
  const taken = await takeAttempt(db, fromIp, now);
  const email = normaliseEmail(identity.email).slice(0, 320);
  if (!taken.ok) {
    const refused = await refuseSsoSignIn(identity.providerId, "locked", ctx, { email });
    return { ...refused, retryInMinutes: minutesUntil(taken.retryAt, now) };
  }
  // The try is counted until the end: a refusal below leaves it counted.
  const refuse = async (reason: SsoRefusalReason, personId?: string): Promise<SsoCompletion> => {
    await db.transaction(async (tx) => {
      await tx.insert(loginAttempts).values({ email, ip: ctx.ip, outcome: "failure", at: now });
      await recordAudit(
        tx,
        anonymous(ctx),
        {
          action: "auth.sso_refused",
          ...(personId ? { targetType: "person", targetId: personId } : {}),
          data: { reason, provider: identity.providerId, protocol: identity.protocol },
        },
        now,
      );
    });
    return { ok: false, reason };
  };

  const [provider] = await db.select().from(identityProviders).where(eq(identityProviders.id, identity.providerId));
  if (!provider) return refuse("provider_unknown");
  if (!provider.enabled || provider.kind !== identity.protocol) return refuse("provider_disabled");
  if (!identity.subject || identity.subject.length > 500) return refuse("invalid_response");
  if (!identity.emailVerified) return refuse("email_unverified");
  if (!domainAllowed(email, provider.allowedDomains)) return refuse("domain_not_allowed");

  const found = await findOrCreatePerson(db, provider, identity, email, ctx, now);
  if (!found.ok) return refuse(found.reason, found.personId);
  if (found.status !== "active") return refuse("account_inactive", found.personId);

  await settleAttempt(db, fromIp, "release");
  const mfaByIdp = provider.acceptIdpMfa && identity.mfa;
  const handoff = await createHandoff(db, {
    personId: found.personId,
    providerId: provider.id,
    method: identity.protocol === "oidc" ? "sso_oidc" : "sso_saml",
    mfaByIdp,
    now,
  });
  return { ok: true, personId: found.personId, ...handoff };
}

type Found =
  | { ok: true; personId: string; status: string }
  | { ok: false; reason: "subject_conflict" | "no_account"; personId?: string };

/**
 * Finds, links or creates the person. Two first sign-ins of one new subject
 * can arrive together: both find nothing and both try to link or create, and
 * a unique key keeps one. The other then runs again and finds what the first
 * wrote, so both sign in to the same person.
 */
async function findOrCreatePerson(
  db: Executor,
  provider: Provider,
  identity: VerifiedSsoIdentity,
  email: string,
  ctx: SsoRequestContext,
  now: Date,
): Promise<Found> {
  try {
    return await linkOrCreatePerson(db, provider, identity, email, ctx, now);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return linkOrCreatePerson(db, provider, identity, email, ctx, now);
  }
}

async function linkOrCreatePerson(
  db: Executor,
  provider: Provider,
  identity: VerifiedSsoIdentity,
  email: string,
  ctx: SsoRequestContext,
  now: Date,
): Promise<Found> {
  return db.transaction(async (tx) => {
    const [linked] = await tx
      .select({ personId: ssoIdentities.personId, status: people.status })
      .from(ssoIdentities)
      .innerJoin(people, eq(people.id, ssoIdentities.personId))
      .where(and(eq(ssoIdentities.providerId, provider.id), eq(ssoIdentities.subject, identity.subject)));
    if (linked) {
      await tx
        .update(ssoIdentities)
        .set({ lastSignedInAt: now })
        .where(and(eq(ssoIdentities.providerId, provider.id), eq(ssoIdentities.subject, identity.subject)));
      if (linked.status === "active") await applyClaims(tx, provider, identity, linked.personId, ctx, now);
      return { ok: true, personId: linked.personId, status: linked.status };
    }

    const [person] = await tx
      .select({ id: people.id, status: people.status, anonymisedAt: people.anonymisedAt })
      .from(people)
      .where(eq(people.email, email))
      .for("update");
    if (person) {
      const status = person.status !== "active" || person.anonymisedAt ? "inactive" : person.status;
      const [link] = await tx
        .select({ subject: ssoIdentities.subject })
        .from(ssoIdentities)
        .where(and(eq(ssoIdentities.providerId, provider.id), eq(ssoIdentities.personId, person.id)));
      // Linked meanwhile by a sign-in of the same subject that held the row first.
      if (link?.subject === identity.subject) return { ok: true, personId: person.id, status };
      // Linked to another subject of this provider: an address reused at the provider must not take the account.
      if (link) return { ok: false, reason: "subject_conflict", personId: person.id };
      if (status !== "active") return { ok: true, personId: person.id, status };
      await tx.insert(ssoIdentities).values({
        providerId: provider.id,
        subject: identity.subject,
        personId: person.id,
        createdAt: now,
        lastSignedInAt: now,
      });
      await recordAudit(
        tx,
        { ...anonymous(ctx), actorId: person.id, actorLabel: email },
        {
          action: "auth.sso_linked",
          targetType: "person",
          targetId: person.id,
          data: { provider: provider.id, protocol: identity.protocol },
        },
        now,
      );
      await applyClaims(tx, provider, identity, person.id, ctx, now);
      return { ok: true, personId: person.id, status: person.status };
    }

    if (!provider.jitProvisioning) return { ok: false, reason: "no_account" };
    const mapped = await mappedFields(tx, provider, identity.claims);
    const [created] = await tx
      .insert(people)
      .values({
        email,
        name: displayName(identity, email),
        departmentId: mapped.departmentId ?? null,
        title: mapped.title ?? null,
        managerId: mapped.managerId ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: people.id });
    await tx.insert(ssoIdentities).values({
      providerId: provider.id,
      subject: identity.subject,
      personId: created.id,
      createdAt: now,
      lastSignedInAt: now,
    });
    await recordAudit(
      tx,
      { ...anonymous(ctx), actorId: null, actorLabel: `sso:${provider.slug}` },
      {
        action: "people.created_by_sso",
        targetType: "person",
        targetId: created.id,
        data: { provider: provider.id, protocol: identity.protocol, email, ...mapped },
      },
      now,
    );
    await syncAssignments(tx, { personIds: [created.id], now });
    return { ok: true, personId: created.id, status: "active" };
  });
}

function displayName(identity: VerifiedSsoIdentity, email: string): string {
  const given = typeof identity.claims.given_name === "string" ? identity.claims.given_name : "";
  const family = typeof identity.claims.family_name === "string" ? identity.claims.family_name : "";
  const name = identity.name?.trim() || `${given} ${family}`.trim() || email.slice(0, email.indexOf("@"));
  return name.slice(0, 200);
}

/** A claim's value as one line of text (the first of a list), or null. */
function claimText(claims: Record<string, unknown>, name: string | null): string | null {
  if (!name) return null;
  const value = claims[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== "string" && typeof first !== "number") return null;
  const text = String(first).trim();
  return text && text.length <= 320 ? text : null;
}

type Mapped = { departmentId?: string | null; managerId?: string | null; title?: string | null };

/**
 * The department (by id or name), manager (by e-mail address) and job title
 * the provider's claims name, for the claims the admin mapped. A value that
 * names nothing known is left out, not created.
 */
async function mappedFields(tx: Executor, provider: Provider, claims: Record<string, unknown>): Promise<Mapped> {
  const out: Mapped = {};
  const department = claimText(claims, provider.departmentClaim);
  if (department) {
    const [row] = await tx
      .select({ id: departments.id })
      .from(departments)
      .where(or(eq(departments.id, department), ilike(departments.name, department.replace(/[\\%_]/g, "\\$&"))))
      .limit(1);
    if (row) out.departmentId = row.id;
  }
  const manager = claimText(claims, provider.managerClaim);
  if (manager) {
    const [row] = await tx
      .select({ id: people.id })
      .from(people)
      .where(and(eq(people.email, normaliseEmail(manager)), eq(people.status, "active")))
      .limit(1);
    if (row) out.managerId = row.id;
  }
  const title = claimText(claims, provider.titleClaim);
  if (title) out.title = title.slice(0, 200);
  return out;
}

/** Brings a linked person's department, manager and title in line with the mapped claims, audited. */
async function applyClaims(
  tx: Executor,
  provider: Provider,
  identity: VerifiedSsoIdentity,
  personId: string,
  ctx: SsoRequestContext,
  now: Date,
): Promise<void> {
  if (!provider.departmentClaim && !provider.managerClaim && !provider.titleClaim) return;
  const mapped = await mappedFields(tx, provider, identity.claims);
  const [current] = await tx
    .select({ departmentId: people.departmentId, managerId: people.managerId, title: people.title })
    .from(people)
    .where(eq(people.id, personId));
  const changes: Mapped = {};
  if (mapped.departmentId && mapped.departmentId !== current.departmentId) changes.departmentId = mapped.departmentId;
  if (mapped.title && mapped.title !== current.title) changes.title = mapped.title;
  if (
    mapped.managerId &&
    mapped.managerId !== current.managerId &&
    mapped.managerId !== personId &&
    !(await isReportOf(tx, personId, mapped.managerId))
  )
    changes.managerId = mapped.managerId;
  if (Object.keys(changes).length === 0) return;
  await tx
    .update(people)
    .set({ ...changes, updatedAt: now })
    .where(eq(people.id, personId));
  await recordAudit(
    tx,
    { ...anonymous(ctx), actorId: null, actorLabel: `sso:${provider.slug}` },
    {
      action: "person.updated",
      targetType: "person",
      targetId: personId,
      data: {
        source: "sso",
        provider: provider.id,
        changes: Object.fromEntries(
          Object.entries(changes).map(([field, to]) => [field, { from: current[field as keyof Mapped] ?? null, to }]),
        ),
      },
    },
    now,
  );
  if (changes.departmentId) await syncAssignments(tx, { personIds: [personId], now });
}

/** Old one-time records are of no use: cleared as new sign-ins run (also by the protocol layers). */
export async function pruneSsoRecords(db: Executor, now = new Date()): Promise<void> {
  await db.execute(sql`delete from sso_replays where expires_at < ${now.toISOString()}::timestamptz`);
  await db.execute(
    sql`delete from sso_handoffs where expires_at < ${new Date(now.getTime() - 3600_000).toISOString()}::timestamptz`,
  );
}

/**
 * Takes a message id (SAML assertion id, OIDC state or nonce) once for a
 * provider: true the first time, false for every replay, also when sent at
 * the same moment (an insert on the primary key). Keep it until the message
 * could no longer be accepted anyway.
 */
export async function takeSsoMessageOnce(
  db: Executor,
  providerId: string,
  messageId: string,
  expiresAt: Date,
): Promise<boolean> {
  const inserted = await db
    .insert(ssoReplays)
    .values({ providerId, messageId: messageId.slice(0, 500), expiresAt })
    .onConflictDoNothing()
    .returning({ messageId: ssoReplays.messageId });
  return inserted.length === 1;
}
