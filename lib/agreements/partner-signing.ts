import "server-only";

import { randomInt } from "node:crypto";

import { and, desc, eq, gt, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";

import { getDb } from "@/db/client";
import { partners, partnerSigningRequests, signatures, signingCeremonies } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { getAgreementTemplate, getContent } from "@/lib/content";
import type { Agreement } from "@/lib/content/load";
import { decryptBytes } from "@/lib/crypto/encryption";
import { hmacSha256Hex, sha256Hex } from "@/lib/crypto/hash";
import { randomToken } from "@/lib/crypto/tokens";
import { env } from "@/lib/env";
import { DomainError, NotFoundError } from "@/lib/errors";
import { isoDate } from "@/lib/format";
import { queueEmail } from "@/lib/notify/queue-email";
import { MINUTE } from "@/lib/time";

import { agreementText, completeSignature, consentText, recordDecline } from "./complete-signature";
import { consentCheckPdf, consentWithCode, issueConsentCode } from "./consent-check";
import { decodeSignatureImage } from "./signature-image";
import { namesMatch } from "./signing.rules";

const CODE_TTL_MS = 10 * MINUTE;
const CODE_RESEND_MS = MINUTE;
const MAX_CODE_ATTEMPTS = 5;
// With 5 tries a code, this keeps a guesser holding the link to 50 of a million codes.
const MAX_CODES_PER_LINK = 10;

export type PartnerLinkState = "ready" | "expired" | "used" | "void" | "unknown";

type Loaded = {
  state: PartnerLinkState;
  request?: typeof partnerSigningRequests.$inferSelect;
  partner?: typeof partners.$inferSelect;
  template?: Agreement;
};

/** Looks up a signing link by its token; only the token's hash is stored. */
export async function loadPartnerLink(token: string, now = new Date()): Promise<Loaded> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { state: "unknown" };
  const db = await getDb();
  const [request] = await db
    .select()
    .from(partnerSigningRequests)
    .where(eq(partnerSigningRequests.tokenHash, sha256Hex(token)));
  if (!request) return { state: "unknown" };
  const [partner] = await db.select().from(partners).where(eq(partners.id, request.partnerId));
  const template = getAgreementTemplate(request.agreementId) ?? undefined;
  if (request.status === "void") return { state: "void", request, partner, template };
  if (request.status !== "pending") return { state: "used", request, partner, template };
  if (request.expiresAt.getTime() <= now.getTime()) return { state: "expired", request, partner, template };
  if (!template || template.version !== request.agreementVersion) return { state: "void", request, partner, template };
  return { state: "ready", request, partner, template };
}

async function readyLink(token: string, now: Date) {
  const loaded = await loadPartnerLink(token, now);
  if (loaded.state !== "ready")
    throw new DomainError(`link_${loaded.state}`, "This signing link can no longer be used.");
  return loaded as Required<Loaded>;
}

const codeHash = (requestId: string, code: string) =>
  hmacSha256Hex(env().NEXTAUTH_SECRET, `partner-code:${requestId}:${code}`);

/** True when `browserKey` (from the link's cookie) belongs to the browser that last confirmed a code. */
function confirmedIn(
  request: { otpVerifiedAt: Date | null; browserKeyHash: string | null },
  browserKey: string | null | undefined,
): boolean {
  return Boolean(
    request.otpVerifiedAt && request.browserKeyHash && browserKey && sha256Hex(browserKey) === request.browserKeyHash,
  );
}

/**
 * Emails a one-time code to the address the link was sent to: whoever signs
 * controls that inbox. One statement takes the right to send (a minute apart,
 * at most MAX_CODES_PER_LINK per link), so requests sent together send one code.
 */
export async function sendPartnerCode(token: string, context: AuditContext, now = new Date()) {
  const { request, template } = await readyLink(token, now);
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  const t = partnerSigningRequests;
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [taken] = await tx
      .update(t)
      .set({
        otpHash: codeHash(request.id, code),
        otpExpiresAt: expiresAt,
        otpAttempts: 0,
        otpSentCount: sql`${t.otpSentCount} + 1`,
      })
      .where(
        and(
          eq(t.id, request.id),
          eq(t.status, "pending"),
          lt(t.otpSentCount, MAX_CODES_PER_LINK),
          or(isNull(t.otpExpiresAt), lte(t.otpExpiresAt, new Date(expiresAt.getTime() - CODE_RESEND_MS))),
        ),
      )
      .returning({ id: t.id });
    if (!taken) {
      const [row] = await tx.select({ sent: t.otpSentCount }).from(t).where(eq(t.id, request.id));
      if ((row?.sent ?? 0) >= MAX_CODES_PER_LINK)
        throw new DomainError(
          "code_limit",
          "Too many codes were sent for this link. Ask your contact to send you a new link.",
        );
      throw new DomainError(
        "code_recently_sent",
        "A code was sent less than a minute ago. Check your inbox, or wait a minute to ask for another.",
      );
    }
    await queueEmail(tx, {
      kind: "partner-signing-code",
      props: { signerName: request.contactName, agreementTitle: template.title, code, expiresAt },
      to: { email: request.contactEmail },
      dedupeKey: `partner-signing-code:${request.id}:${now.getTime()}`,
      now,
    });
    await recordAudit(
      tx,
      context,
      { action: "partner.code_sent", targetType: "partner_request", targetId: request.id },
      now,
    );
  });
}

/**
 * Confirms the emailed code and binds the link to this browser: the returned
 * `browserKey` goes into its cookie (only its hash is stored). Each try first
 * takes one of MAX_CODE_ATTEMPTS in a single statement, so guesses sent
 * together are compared at most that many times; a code confirms once.
 */
export async function verifyPartnerCode(
  token: string,
  code: string,
  context: AuditContext & { ip: string },
  now = new Date(),
): Promise<{ browserKey: string; expiresAt: Date }> {
  const { request } = await readyLink(token, now);
  const t = partnerSigningRequests;
  const db = await getDb();
  const [taken] = await db
    .update(t)
    .set({ otpAttempts: sql`${t.otpAttempts} + 1` })
    .where(
      and(
        eq(t.id, request.id),
        eq(t.status, "pending"),
        isNotNull(t.otpHash),
        gt(t.otpExpiresAt, now),
        lt(t.otpAttempts, MAX_CODE_ATTEMPTS),
      ),
    )
    .returning({ otpHash: t.otpHash });
  if (!taken?.otpHash) {
    const [row] = await db
      .select({
        otpHash: t.otpHash,
        otpExpiresAt: t.otpExpiresAt,
        otpAttempts: t.otpAttempts,
        otpSentCount: t.otpSentCount,
      })
      .from(t)
      .where(eq(t.id, request.id));
    if (row?.otpHash && row.otpExpiresAt && row.otpExpiresAt > now && row.otpAttempts >= MAX_CODE_ATTEMPTS)
      throw new DomainError("code_locked", "Too many wrong codes. Ask for a new code.");
    if (!row?.otpSentCount)
      throw new DomainError(
        "code_not_sent",
        "No code has been sent for this link yet. Select “Email me a code” first.",
      );
    throw new DomainError(
      "code_expired",
      "That code is no longer valid: codes work once, for 10 minutes. Ask for a new one.",
    );
  }
  if (codeHash(request.id, code.trim()) !== taken.otpHash) {
    throw new DomainError("code_wrong", "That code is not right. Check the latest email we sent you.");
  }
  const browserKey = randomToken();
  return db.transaction(async (tx) => {
    // Clearing the very hash that matched: of two confirmations with one code, one wins.
    const [used] = await tx
      .update(t)
      .set({ otpHash: null, otpVerifiedAt: now, browserKeyHash: sha256Hex(browserKey) })
      .where(and(eq(t.id, request.id), eq(t.status, "pending"), eq(t.otpHash, taken.otpHash!)))
      .returning({ expiresAt: t.expiresAt });
    if (!used)
      throw new DomainError(
        "code_expired",
        "That code is no longer valid: codes work once, for 10 minutes. Ask for a new one.",
      );
    // A fresh ceremony per confirming browser: consent is given in the browser that signs.
    await tx.insert(signingCeremonies).values({
      agreementId: request.agreementId,
      agreementVersion: request.agreementVersion,
      partnerRequestId: request.id,
      startedAt: now,
      startedIp: context.ip,
    });
    await recordAudit(
      tx,
      context,
      { action: "partner.code_verified", targetType: "partner_request", targetId: request.id },
      now,
    );
    return { browserKey, expiresAt: used.expiresAt };
  });
}

async function ceremonyFor(requestId: string) {
  const db = await getDb();
  const [ceremony] = await db
    .select()
    .from(signingCeremonies)
    .where(and(eq(signingCeremonies.partnerRequestId, requestId), isNull(signingCeremonies.completedAt)))
    .orderBy(desc(signingCeremonies.startedAt))
    .limit(1);
  return ceremony ?? null;
}

/** How long after signing the signer's browser may download its copy from the signing page. */
export const SIGNED_COPY_WINDOW_MS = 60 * MINUTE;

/** The link was signed in this very browser a moment ago: the completion page, with the download. */
function signedHere(
  loaded: Loaded,
  browserKey: string | null | undefined,
  now: Date,
): loaded is Required<Loaded> & { request: { signatureId: string; completedAt: Date } } {
  const request = loaded.request;
  return Boolean(
    request &&
    request.status === "signed" &&
    request.signatureId &&
    request.completedAt &&
    now.getTime() - request.completedAt.getTime() < SIGNED_COPY_WINDOW_MS &&
    confirmedIn(request, browserKey),
  );
}

/** What the partner sees: the code step until this browser has confirmed a code. */
export async function partnerSigningView(token: string, browserKey: string | null | undefined, now = new Date()) {
  const loaded = await loadPartnerLink(token, now);
  if (signedHere(loaded, browserKey, now))
    return {
      state: "signed" as const,
      title: loaded.template?.title ?? loaded.request.agreementId,
      partnerName: loaded.partner.name,
      contactEmail: loaded.request.contactEmail,
    };
  if (loaded.state !== "ready") return { state: loaded.state } as const;
  const { request, partner, template } = loaded as Required<Loaded>;
  const confirmed = confirmedIn(request, browserKey);
  const ceremony = confirmed ? await ceremonyFor(request.id) : null;
  const consent = getContent().esignConsent!;
  return {
    state: "ready" as const,
    step: !confirmed ? ("code" as const) : !ceremony?.consentAt ? ("consent" as const) : ("sign" as const),
    codeSent: Boolean(request.otpHash && request.otpExpiresAt && request.otpExpiresAt > now),
    contactName: request.contactName,
    contactEmail: request.contactEmail,
    partnerName: partner.name,
    title: template.title,
    version: template.version,
    expiresAt: request.expiresAt,
    text: confirmed
      ? agreementText(
          template,
          { name: request.contactName, email: request.contactEmail, partnerName: partner.name },
          now,
        )
      : null,
    consent: { version: consent.version, text: consentText(consent) },
  };
}

const codeRequired = () => new DomainError("code_required", "Confirm your email address with the code first.");

export async function partnerConsent(
  token: string,
  browserKey: string | null | undefined,
  code: string,
  context: AuditContext & { ip: string },
  now = new Date(),
) {
  const { request } = await readyLink(token, now);
  const ceremony = confirmedIn(request, browserKey) ? await ceremonyFor(request.id) : null;
  if (!ceremony) throw codeRequired();
  await consentWithCode(
    ceremony,
    code,
    context,
    { agreementId: request.agreementId, partnerRequestId: request.id },
    now,
  );
}

/** The consent-check PDF for the browser that confirmed the emailed code; anyone else gets a 404. */
export async function partnerConsentCheck(token: string, browserKey: string | null | undefined, now = new Date()) {
  const loaded = await loadPartnerLink(token, now);
  if (loaded.state !== "ready") throw new NotFoundError();
  const { request, template } = loaded as Required<Loaded>;
  const ceremony = confirmedIn(request, browserKey) ? await ceremonyFor(request.id) : null;
  if (!ceremony || ceremony.consentAt) throw new NotFoundError();
  const code = await issueConsentCode(ceremony.id);
  return { filename: `consent-check-${template.id}.pdf`, bytes: await consentCheckPdf(code, template.title) };
}

export async function partnerSign(
  token: string,
  browserKey: string | null | undefined,
  input: { typedName: string; signatureDataUrl?: string },
  context: AuditContext & { ip: string },
  now = new Date(),
) {
  const { request, partner, template } = await readyLink(token, now);
  if (!confirmedIn(request, browserKey)) throw codeRequired();
  const ceremony = await ceremonyFor(request.id);
  if (!ceremony?.consentAt || !request.otpVerifiedAt)
    throw new DomainError("consent_required", "Give your consent to electronic records and signatures first.");
  if (!namesMatch(input.typedName, request.contactName)) {
    throw new DomainError(
      "name_mismatch",
      `Type your full name exactly as ${partner.name} gave it to us: "${request.contactName}". If it is wrong, reply to the email so we can correct it.`,
    );
  }
  const signatureImagePng = input.signatureDataUrl ? await decodeSignatureImage(input.signatureDataUrl) : null;
  const db = await getDb();
  // Claim the link first so a double submit cannot sign twice.
  const claimed = await db
    .update(partnerSigningRequests)
    .set({ status: "signed", completedAt: now })
    .where(and(eq(partnerSigningRequests.id, request.id), eq(partnerSigningRequests.status, "pending")))
    .returning({ id: partnerSigningRequests.id });
  if (claimed.length === 0) throw new DomainError("link_used", "This signing link has already been used.");
  try {
    const { signatureId } = await completeSignature({
      template,
      consent: getContent().esignConsent!,
      signer: {
        name: request.contactName,
        email: request.contactEmail,
        organisation: partner.name,
        partnerName: partner.name,
      },
      personId: null,
      partnerRequestId: request.id,
      ceremony: { id: ceremony.id, startedAt: ceremony.startedAt, consentAt: ceremony.consentAt },
      identity: {
        method: `Email one-time code sent to ${request.contactEmail}`,
        confirmedAt: request.otpVerifiedAt,
        label: `Control of ${request.contactEmail} confirmed with a one-time code`,
      },
      signatureImagePng,
      context: { ...context, actorLabel: request.contactEmail },
      now,
    });
    await db.update(partnerSigningRequests).set({ signatureId }).where(eq(partnerSigningRequests.id, request.id));
    return { signatureId };
  } catch (error) {
    await db
      .update(partnerSigningRequests)
      .set({ status: "pending", completedAt: null })
      .where(eq(partnerSigningRequests.id, request.id));
    throw error;
  }
}

export async function partnerDecline(
  token: string,
  browserKey: string | null | undefined,
  reason: string,
  context: AuditContext & { ip: string },
  now = new Date(),
) {
  const { request, partner, template } = await readyLink(token, now);
  if (!confirmedIn(request, browserKey)) throw codeRequired();
  const body = agreementText(
    template,
    { name: request.contactName, email: request.contactEmail, partnerName: partner.name },
    now,
  );
  const db = await getDb();
  await db.transaction(async (tx) => {
    await recordDecline(tx, {
      template,
      body,
      signer: { name: request.contactName, email: request.contactEmail, organisation: partner.name },
      personId: null,
      partnerRequestId: request.id,
      authMethod: `Email one-time code sent to ${request.contactEmail}`,
      reason,
      context: { ...context, actorLabel: request.contactEmail },
      now,
    });
    await tx
      .update(partnerSigningRequests)
      .set({ status: "declined", completedAt: now })
      .where(eq(partnerSigningRequests.id, request.id));
  });
}

/**
 * The sealed copy, for the browser that signed it and only shortly after (the consent promises a download
 * right after signing; later copies come from the email or the organisation). Anyone else: not found.
 */
export async function partnerSignedCopy(
  token: string,
  browserKey: string | null | undefined,
  context: AuditContext,
  now = new Date(),
): Promise<{ filename: string; bytes: Buffer }> {
  const loaded = await loadPartnerLink(token, now);
  if (!signedHere(loaded, browserKey, now)) throw new NotFoundError("That document does not exist.");
  const db = await getDb();
  const [row] = await db
    .select({ pdfEnc: signatures.pdfEnc, signedAt: signatures.signedAt, version: signatures.agreementVersion })
    .from(signatures)
    .where(eq(signatures.id, loaded.request.signatureId));
  if (!row?.pdfEnc) throw new NotFoundError("That document does not exist.");
  const bytes = decryptBytes(row.pdfEnc, `signature:${loaded.request.signatureId}`);
  await recordAudit(
    db,
    { ...context, actorLabel: loaded.request.contactEmail },
    { action: "partner.signed_copy_downloaded", targetType: "signature", targetId: loaded.request.signatureId },
    now,
  );
  return { filename: `${loaded.request.agreementId}-v${row.version}-${isoDate(row.signedAt)}.pdf`, bytes };
}
