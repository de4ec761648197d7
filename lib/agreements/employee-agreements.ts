import "server-only";

import { and, desc, eq, gt, isNull, lt, sql } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { loginAttempts, people, signatures, signingCeremonies } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { settleAttempt, takeAttempt } from "@/lib/auth/attempt-limit";
import type { Viewer } from "@/lib/auth/roles";
import { accountLimit, minutesUntil } from "@/lib/auth/throttle";
import { claimTotpStep } from "@/lib/auth/totp-step";
import { getAgreementTemplate, getContent } from "@/lib/content";
import { inAudience, type AudienceMember } from "@/lib/content/audience";
import { withAccessRoles } from "@/lib/content/audience-facts";
import type { Agreement } from "@/lib/content/load";
import { decryptText } from "@/lib/crypto/encryption";
import { verifyPassword } from "@/lib/crypto/password";
import { matchTotp } from "@/lib/crypto/totp";
import { DomainError, FieldError, NotFoundError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { HOUR } from "@/lib/time";

import {
  agreementText,
  completeSignature,
  consentText,
  recordDecline,
  type SignatureInput,
} from "./complete-signature";
import { consentCheckPdf, consentWithCode, issueConsentCode } from "./consent-check";
import { signatureFactColumns } from "./signature-columns";
import { decodeSignatureImage } from "./signature-image";
import { agreementStanding, namesMatch, type AgreementStanding } from "./signing.rules";

export type AgreementItem = {
  template: Agreement;
  standing: AgreementStanding;
  signed: { id: string; version: string; signedAt: Date; renewalDueAt: Date | null } | null;
};

const MAX_REAUTH_FAILURES = 5;
const CEREMONY_TTL_MS = 24 * HOUR;

const signatureColumns = { id: signatures.id, ...signatureFactColumns };
type SignatureRow = {
  id: string;
  agreementId: string;
  agreementVersion: string;
  signedAt: Date;
  renewalDueAt: Date | null;
  outcome: "signed" | "declined";
};

/** Where a person stands on each employee agreement that applies to them, from their signatures newest first. */
function itemsFrom(person: AudienceMember, rows: SignatureRow[], now: Date): AgreementItem[] {
  return getContent()
    .agreements.filter((t) => t.audience === "employee" && inAudience(t.signers, person, now))
    .map((template) => {
      const mine = rows.filter((r) => r.agreementId === template.id);
      const { standing, signature } = agreementStanding(template, mine, now);
      const row = signature ? mine.find((r) => r.signedAt === signature.signedAt && r.outcome === "signed")! : null;
      return {
        template,
        standing,
        signed: row
          ? { id: row.id, version: row.agreementVersion, signedAt: row.signedAt, renewalDueAt: row.renewalDueAt }
          : null,
      };
    });
}

/** The employee agreements that apply to a person, with where they stand on each. */
export async function agreementsFor(
  personId: string,
  person: { departmentId: string | null; roles: string[]; email: string },
  now = new Date(),
): Promise<AgreementItem[]> {
  const one = await agreementsForMany(
    await getDb(),
    [{ id: personId, departmentId: person.departmentId, roles: person.roles, email: person.email }],
    now,
  );
  return one.get(personId)!;
}

/** agreementsFor for many people, in one read of their signatures: the scheduler's reminders go through everyone each minute. */
export async function agreementsForMany(
  db: Executor,
  persons: (AudienceMember & { id: string; email: string })[],
  now = new Date(),
): Promise<Map<string, AgreementItem[]>> {
  const byPerson = new Map<string, SignatureRow[]>(persons.map((p) => [p.id, []]));
  const members = await withAccessRoles(
    db,
    persons.map((p) => ({ ...p })),
    getContent().agreements.map((t) => t.signers),
    now,
  );
  if (persons.length > 0) {
    const rows = await db
      .select(signatureColumns)
      .from(signatures)
      .where(
        inIds(
          signatures.personId,
          persons.map((p) => p.id),
        ),
      )
      .orderBy(desc(signatures.signedAt));
    for (const row of rows) if (row.personId) byPerson.get(row.personId)?.push(row);
  }
  return new Map(members.map((p) => [p.id, itemsFrom(p, byPerson.get(p.id)!, now)]));
}

export async function myAgreements(viewer: Viewer, now = new Date()) {
  return agreementsFor(viewer.id, viewer, now);
}

function employeeTemplate(agreementId: string): Agreement {
  const template = getAgreementTemplate(agreementId);
  if (!template || template.audience !== "employee") throw new NotFoundError("That agreement does not exist.");
  return template;
}

/** Opens (or resumes) a signing: the moment the full text is presented is evidence. */
export async function openSigning(viewer: Viewer, agreementId: string, ip: string, now = new Date()) {
  const template = employeeTemplate(agreementId);
  const db = await getDb();
  const [open] = await db
    .select({
      id: signingCeremonies.id,
      consentAt: signingCeremonies.consentAt,
      startedAt: signingCeremonies.startedAt,
      readAt: signingCeremonies.readAt,
    })
    .from(signingCeremonies)
    .where(
      and(
        eq(signingCeremonies.personId, viewer.id),
        eq(signingCeremonies.agreementId, template.id),
        eq(signingCeremonies.agreementVersion, template.version),
        isNull(signingCeremonies.completedAt),
        gt(signingCeremonies.startedAt, new Date(now.getTime() - CEREMONY_TTL_MS)),
      ),
    )
    .orderBy(desc(signingCeremonies.startedAt))
    .limit(1);
  const ceremony =
    open ??
    (
      await db
        .insert(signingCeremonies)
        .values({
          agreementId: template.id,
          agreementVersion: template.version,
          personId: viewer.id,
          startedAt: now,
          startedIp: ip,
        })
        .returning({
          id: signingCeremonies.id,
          consentAt: signingCeremonies.consentAt,
          startedAt: signingCeremonies.startedAt,
          readAt: signingCeremonies.readAt,
        })
    )[0];
  const consent = getContent().esignConsent!;
  return {
    template,
    ceremony,
    text: agreementText(template, { name: viewer.name, email: viewer.email }, now),
    consent: { version: consent.version, text: consentText(consent) },
  };
}

async function ownCeremony(viewer: Viewer, ceremonyId: string, agreementId: string) {
  const db = await getDb();
  const [ceremony] = await db
    .select()
    .from(signingCeremonies)
    .where(
      and(
        eq(signingCeremonies.id, ceremonyId),
        eq(signingCeremonies.personId, viewer.id),
        eq(signingCeremonies.agreementId, agreementId),
      ),
    );
  if (!ceremony || ceremony.completedAt)
    throw new DomainError("signing_expired", "This signing session has ended. Open the agreement again to sign.");
  return ceremony;
}

export async function giveConsent(
  viewer: Viewer,
  context: AuditContext & { ip: string },
  agreementId: string,
  ceremonyId: string,
  code: string,
  now = new Date(),
) {
  const template = employeeTemplate(agreementId);
  const ceremony = await ownCeremony(viewer, ceremonyId, template.id);
  const consent = getContent().esignConsent!;
  await consentWithCode(
    ceremony,
    code,
    context,
    { agreementId: template.id, version: template.version, consentVersion: consent.version },
    now,
  );
}

/** The consent-check PDF for the viewer's own open signing (a new code each time it is opened). */
export async function employeeConsentCheck(viewer: Viewer, ceremonyId: string) {
  const db = await getDb();
  const [ceremony] = await db
    .select({ agreementId: signingCeremonies.agreementId, consentAt: signingCeremonies.consentAt })
    .from(signingCeremonies)
    .where(
      and(
        eq(signingCeremonies.id, ceremonyId),
        eq(signingCeremonies.personId, viewer.id),
        isNull(signingCeremonies.completedAt),
      ),
    );
  const template = ceremony && getAgreementTemplate(ceremony.agreementId);
  if (!ceremony || ceremony.consentAt || !template) throw new NotFoundError();
  const code = await issueConsentCode(ceremonyId);
  return { filename: `consent-check-${template.id}.pdf`, bytes: await consentCheckPdf(code, template.title) };
}

export type EmployeeSignInput = {
  agreementId: string;
  ceremonyId: string;
  password?: string;
  code?: string;
  typedName?: string;
  signatureDataUrl?: string;
};

/**
 * Records that the signer reached the end of the agreement's text in this
 * signing (the first time only): an agreement that must be read in full cannot
 * be signed before. Returns when it was read.
 */
export async function markRead(
  viewer: Viewer,
  agreementId: string,
  ceremonyId: string,
  now = new Date(),
): Promise<Date> {
  const template = employeeTemplate(agreementId);
  const ceremony = await ownCeremony(viewer, ceremonyId, template.id);
  if (ceremony.readAt) return ceremony.readAt;
  const db = await getDb();
  const [row] = await db
    .update(signingCeremonies)
    .set({ readAt: now })
    .where(and(eq(signingCeremonies.id, ceremony.id), isNull(signingCeremonies.readAt)))
    .returning({ readAt: signingCeremonies.readAt });
  return row?.readAt ?? (await ownCeremony(viewer, ceremonyId, template.id)).readAt!;
}

/**
 * Signs at the agreement's level: an acknowledgement is the signed-in person's
 * click; a typed or drawn signature re-authenticates and checks the typed name
 * against the record (drawn also needs the drawing). An agreement that must be
 * read in full is refused until the signer reached its end.
 */
export async function signAsEmployee(
  viewer: Viewer,
  context: AuditContext & { ip: string },
  input: EmployeeSignInput,
  now = new Date(),
) {
  const template = employeeTemplate(input.agreementId);
  const ceremony = await ownCeremony(viewer, input.ceremonyId, template.id);
  if (!ceremony.consentAt)
    throw new DomainError("consent_required", "Give your consent to electronic records and signatures first.");
  if (ceremony.agreementVersion !== template.version)
    throw new DomainError(
      "signing_expired",
      "The agreement has changed since you opened it. Open it again to read the new version.",
    );
  if (template.mustRead && !ceremony.readAt)
    throw new DomainError("read_required", "Read the agreement to the end before you sign it.");
  const db = await getDb();
  // The signer's own signing, sealed with how they confirmed who they are.
  const seal = (
    name: string,
    identity: SignatureInput["identity"],
    mark: SignatureInput["mark"],
    signatureImagePng: Buffer | null,
  ) =>
    completeSignature({
      template,
      consent: getContent().esignConsent!,
      signer: { name, email: viewer.email },
      personId: viewer.id,
      partnerRequestId: null,
      ceremony: {
        id: ceremony.id,
        startedAt: ceremony.startedAt,
        consentAt: ceremony.consentAt!,
        readAt: ceremony.readAt,
      },
      identity,
      mark,
      signatureImagePng,
      context,
      now: new Date(now.getTime() + 1),
    });
  if (template.signature === "acknowledge") {
    const [signer] = await db.select({ name: people.name }).from(people).where(eq(people.id, viewer.id));
    return seal(
      signer.name,
      {
        method: "Signed in to Clearance; acknowledged in the signed-in session",
        confirmedAt: now,
        label: "Identity: the person signed in to Clearance",
      },
      "acknowledged",
      null,
    );
  }
  if (!input.password && !input.code?.trim())
    throw new FieldError(
      "password",
      "reauth_required",
      "Confirm it is you with your password or an authenticator code.",
    );
  if (template.signature === "drawn" && !input.signatureDataUrl)
    throw new FieldError(
      "signature",
      "signature_required",
      "Draw your signature in the box: this agreement needs one.",
    );
  const [person] = await db
    .select({
      name: people.name,
      passwordHash: people.passwordHash,
      mfaSecretEnc: people.mfaSecretEnc,
      mfaEnabledAt: people.mfaEnabledAt,
      mfaLastStep: people.mfaLastStep,
    })
    .from(people)
    .where(eq(people.id, viewer.id));
  // What the form says is checked first: only a confirmation of identity takes a try.
  if (!namesMatch(input.typedName ?? "", person.name)) {
    throw new FieldError(
      "typedName",
      "name_mismatch",
      `Type your full legal name exactly as it appears on your record: "${person.name}". If your record is wrong, ask your compliance team to correct it before signing.`,
    );
  }
  const signatureImagePng = input.signatureDataUrl ? await decodeSignatureImage(input.signatureDataUrl) : null;
  await takeReauthTry(db, viewer, ceremony.id, context.ip, now);

  let method: string | null = null;
  if (input.code?.trim() && person.mfaEnabledAt && person.mfaSecretEnc) {
    const step = matchTotp(decryptText(person.mfaSecretEnc, `mfa:${viewer.id}`), input.code, now, person.mfaLastStep);
    if (step !== null && (await claimTotpStep(db, viewer.id, step))) {
      method =
        "Signed in with password and authenticator app; re-authenticated with an authenticator-app code before signing";
    }
  } else if (input.password && (await verifyPassword(input.password, person.passwordHash))) {
    method = "Signed in to Clearance; re-authenticated with the account password before signing";
  }
  if (!method) {
    await db.transaction(async (tx) => {
      await tx.insert(loginAttempts).values({ email: viewer.email, ip: context.ip, outcome: "failure", at: now });
      await recordAudit(
        tx,
        context,
        {
          action: "agreement.reauth_failed",
          targetType: "signing",
          targetId: ceremony.id,
          data: { agreementId: template.id },
        },
        now,
      );
    });
    throw new FieldError(
      input.code?.trim() ? "code" : "password",
      "reauth_failed",
      input.code?.trim()
        ? "That code is not right. Enter the current code from your authenticator app."
        : "That password is not right.",
    );
  }
  await settleReauthTry(db, viewer, ceremony.id);
  return seal(
    person.name,
    {
      method,
      confirmedAt: now,
      label: input.code?.trim()
        ? "Identity confirmed with an authenticator-app code"
        : "Identity confirmed with the account password",
    },
    "typed",
    signatureImagePng,
  );
}

/**
 * Takes one confirmation try from the signing ceremony (at most 5) and one from
 * the account's sign-in limit, each in one statement before the password or
 * code is checked: confirmations sent together cannot outnumber the limits.
 */
async function takeReauthTry(db: Executor, viewer: Viewer, ceremonyId: string, ip: string, now: Date): Promise<void> {
  const taken = await db
    .update(signingCeremonies)
    .set({ failedReauths: sql`${signingCeremonies.failedReauths} + 1` })
    .where(and(eq(signingCeremonies.id, ceremonyId), lt(signingCeremonies.failedReauths, MAX_REAUTH_FAILURES)))
    .returning({ id: signingCeremonies.id });
  if (taken.length === 0)
    throw new DomainError("reauth_locked", "Too many failed confirmations. Open the agreement again later.");
  const accountTry = await takeAttempt(db, accountLimit(viewer.email), now);
  if (!accountTry.ok) {
    await giveBackCeremonyTry(db, ceremonyId);
    await db.insert(loginAttempts).values({ email: viewer.email, ip, outcome: "refused", at: now });
    throw new DomainError(
      "reauth_locked",
      `Too many failed confirmations for your account. Try again in ${plural(minutesUntil(accountTry.retryAt, now), "minute")}.`,
    );
  }
}

/** A confirmation that succeeded gives its ceremony try back and clears the account's failures, as a sign-in does. */
async function settleReauthTry(db: Executor, viewer: Viewer, ceremonyId: string): Promise<void> {
  await giveBackCeremonyTry(db, ceremonyId);
  await settleAttempt(db, accountLimit(viewer.email), "reset");
}

async function giveBackCeremonyTry(db: Executor, ceremonyId: string): Promise<void> {
  await db
    .update(signingCeremonies)
    .set({ failedReauths: sql`greatest(${signingCeremonies.failedReauths} - 1, 0)` })
    .where(eq(signingCeremonies.id, ceremonyId));
}

/** Declining is a choice that is recorded, not an error. */
export async function declineAsEmployee(
  viewer: Viewer,
  context: AuditContext & { ip: string },
  agreementId: string,
  reason: string,
  now = new Date(),
) {
  const template = employeeTemplate(agreementId);
  const body = agreementText(template, { name: viewer.name, email: viewer.email }, now);
  const db = await getDb();
  await db.transaction((tx) =>
    recordDecline(tx, {
      template,
      body,
      signer: { name: viewer.name, email: viewer.email },
      personId: viewer.id,
      partnerRequestId: null,
      authMethod: "Signed in to Clearance",
      reason,
      context,
      now,
    }),
  );
}
