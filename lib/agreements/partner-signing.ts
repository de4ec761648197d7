import "server-only";
import { randomInt } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db/client";
import { partnerSigningRequests, partners, signingCeremonies } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { getAgreementTemplate, getContent } from "@/lib/content";
import type { Agreement } from "@/lib/content/load";
import { env } from "@/lib/env";
import { keyedHashHex, sha256Hex } from "@/lib/crypto/tokens";
import { DomainError } from "@/lib/errors";
import { queueEmail } from "@/lib/notify/queue-email";
import { agreementText, completeSignature, consentText, recordDecline } from "./complete-signature";
import { namesMatch } from "./rules";
import { decodeSignatureImage } from "./signature-image";

const CODE_TTL_MS = 10 * 60_000;
const CODE_RESEND_MS = 60_000;
const MAX_CODE_ATTEMPTS = 5;

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
  const [request] = await db.select().from(partnerSigningRequests).where(eq(partnerSigningRequests.tokenHash, sha256Hex(token)));
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
  if (loaded.state !== "ready") throw new DomainError(`link_${loaded.state}`, "This signing link can no longer be used.");
  return loaded as Required<Loaded>;
}

const codeHash = (requestId: string, code: string) => keyedHashHex(env().NEXTAUTH_SECRET, `partner-code:${requestId}:${code}`);

/** Emails a one-time code to the address the link was sent to: whoever signs controls that inbox. */
export async function sendPartnerCode(token: string, context: AuditContext, now = new Date()) {
  const { request, template } = await readyLink(token, now);
  if (request.otpExpiresAt && request.otpExpiresAt.getTime() - CODE_TTL_MS + CODE_RESEND_MS > now.getTime()) {
    throw new DomainError("code_recently_sent", "A code was sent less than a minute ago. Check your inbox, or wait a minute to ask for another.");
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.update(partnerSigningRequests).set({ otpHash: codeHash(request.id, code), otpExpiresAt: expiresAt, otpAttempts: 0 }).where(eq(partnerSigningRequests.id, request.id));
    await queueEmail(tx, {
      kind: "partner-signing-code",
      props: { signerName: request.contactName, agreementTitle: template.title, code, expiresAt },
      to: { email: request.contactEmail },
      dedupeKey: `partner-signing-code:${request.id}:${now.getTime()}`,
      now,
    });
    await recordAudit(tx, context, { action: "partner.code_sent", targetType: "partner_request", targetId: request.id }, now);
  });
}

export async function verifyPartnerCode(token: string, code: string, context: AuditContext & { ip: string }, now = new Date()) {
  const { request } = await readyLink(token, now);
  if (request.otpVerifiedAt) return;
  if (!request.otpHash || !request.otpExpiresAt || request.otpExpiresAt <= now) throw new DomainError("code_expired", "That code has expired. Ask for a new one.");
  if (request.otpAttempts >= MAX_CODE_ATTEMPTS) throw new DomainError("code_locked", "Too many wrong codes. Ask for a new code.");
  const db = await getDb();
  if (codeHash(request.id, code.trim()) !== request.otpHash) {
    await db.update(partnerSigningRequests).set({ otpAttempts: request.otpAttempts + 1 }).where(eq(partnerSigningRequests.id, request.id));
    throw new DomainError("code_wrong", "That code is not right. Check the latest email we sent you.");
  }
  await db.transaction(async (tx) => {
    await tx.update(partnerSigningRequests).set({ otpVerifiedAt: now, otpHash: null }).where(eq(partnerSigningRequests.id, request.id));
    await tx.insert(signingCeremonies).values({ agreementId: request.agreementId, agreementVersion: request.agreementVersion, partnerRequestId: request.id, startedAt: now, startedIp: context.ip });
    await recordAudit(tx, context, { action: "partner.code_verified", targetType: "partner_request", targetId: request.id }, now);
  });
}

async function ceremonyFor(requestId: string) {
  const db = await getDb();
  const [ceremony] = await db.select().from(signingCeremonies).where(and(eq(signingCeremonies.partnerRequestId, requestId), isNull(signingCeremonies.completedAt)));
  return ceremony ?? null;
}

/** What the partner sees once the code is confirmed. */
export async function partnerSigningView(token: string, now = new Date()) {
  const loaded = await loadPartnerLink(token, now);
  if (loaded.state !== "ready") return { state: loaded.state } as const;
  const { request, partner, template } = loaded as Required<Loaded>;
  const ceremony = request.otpVerifiedAt ? await ceremonyFor(request.id) : null;
  const consent = getContent().esignConsent!;
  return {
    state: "ready" as const,
    step: !request.otpVerifiedAt ? ("code" as const) : !ceremony?.consentAt ? ("consent" as const) : ("sign" as const),
    codeSent: Boolean(request.otpExpiresAt),
    contactName: request.contactName,
    contactEmail: request.contactEmail,
    partnerName: partner.name,
    title: template.title,
    version: template.version,
    expiresAt: request.expiresAt,
    text: request.otpVerifiedAt ? agreementText(template, { name: request.contactName, email: request.contactEmail, partnerName: partner.name }, now) : null,
    consent: { version: consent.version, text: consentText(consent) },
  };
}

export async function partnerConsent(token: string, context: AuditContext & { ip: string }, now = new Date()) {
  const { request } = await readyLink(token, now);
  const ceremony = request.otpVerifiedAt ? await ceremonyFor(request.id) : null;
  if (!ceremony) throw new DomainError("code_required", "Confirm your email address with the code first.");
  if (ceremony.consentAt) return;
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.update(signingCeremonies).set({ consentAt: now, consentIp: context.ip, consentUserAgent: context.userAgent ?? null }).where(eq(signingCeremonies.id, ceremony.id));
    await recordAudit(tx, context, { action: "agreement.consent_given", targetType: "signing", targetId: ceremony.id, data: { agreementId: request.agreementId, partnerRequestId: request.id } }, now);
  });
}

export async function partnerSign(token: string, input: { typedName: string; signatureDataUrl?: string }, context: AuditContext & { ip: string }, now = new Date()) {
  const { request, partner, template } = await readyLink(token, now);
  const ceremony = await ceremonyFor(request.id);
  if (!ceremony?.consentAt || !request.otpVerifiedAt) throw new DomainError("consent_required", "Give your consent to electronic records and signatures first.");
  if (!namesMatch(input.typedName, request.contactName)) {
    throw new DomainError("name_mismatch", `Type your full name exactly as ${partner.name} gave it to us: "${request.contactName}". If it is wrong, reply to the email so we can correct it.`);
  }
  const signatureImagePng = input.signatureDataUrl ? await decodeSignatureImage(input.signatureDataUrl) : null;
  const db = await getDb();
  // Claim the link first so a double submit cannot sign twice.
  const claimed = await db.update(partnerSigningRequests).set({ status: "signed", completedAt: now }).where(and(eq(partnerSigningRequests.id, request.id), eq(partnerSigningRequests.status, "pending"))).returning({ id: partnerSigningRequests.id });
  if (claimed.length === 0) throw new DomainError("link_used", "This signing link has already been used.");
  try {
    const { signatureId } = await completeSignature({
      template,
      consent: getContent().esignConsent!,
      signer: { name: request.contactName, email: request.contactEmail, organisation: partner.name, partnerName: partner.name },
      personId: null,
      partnerRequestId: request.id,
      ceremony: { id: ceremony.id, startedAt: ceremony.startedAt, consentAt: ceremony.consentAt },
      identity: { method: `Email one-time code sent to ${request.contactEmail}`, confirmedAt: request.otpVerifiedAt, label: `Control of ${request.contactEmail} confirmed with a one-time code` },
      signatureImagePng,
      context: { ...context, actorLabel: request.contactEmail },
      now,
    });
    await db.update(partnerSigningRequests).set({ signatureId }).where(eq(partnerSigningRequests.id, request.id));
    return { signatureId };
  } catch (error) {
    await db.update(partnerSigningRequests).set({ status: "pending", completedAt: null }).where(eq(partnerSigningRequests.id, request.id));
    throw error;
  }
}

export async function partnerDecline(token: string, reason: string, context: AuditContext & { ip: string }, now = new Date()) {
  const { request, partner, template } = await readyLink(token, now);
  if (!request.otpVerifiedAt) throw new DomainError("code_required", "Confirm your email address with the code first.");
  const body = agreementText(template, { name: request.contactName, email: request.contactEmail, partnerName: partner.name }, now);
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
    await tx.update(partnerSigningRequests).set({ status: "declined", completedAt: now }).where(eq(partnerSigningRequests.id, request.id));
  });
}
