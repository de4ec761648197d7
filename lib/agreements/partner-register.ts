import "server-only";

import { and, desc, eq, inArray } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { partners, partnerSigningRequests, signatures } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { getAgreementTemplate } from "@/lib/content";
import { sha256Hex } from "@/lib/crypto/hash";
import { randomToken } from "@/lib/crypto/tokens";
import { DomainError, NotFoundError } from "@/lib/errors";
import { queueEmail } from "@/lib/notify/queue-email";
import { addDays } from "@/lib/time";

import { partnerAgreementStatus, type PartnerAgreementStatus } from "./partner.rules";

export const SIGNING_LINK_DAYS = 14;

function assertCompliance(viewer: Viewer, write: boolean) {
  assertMay(viewer, write ? "administer" : "oversee");
}

export type PartnerOverview = {
  id: string;
  name: string;
  contactName: string;
  contactEmail: string;
  agreements: {
    agreementId: string;
    title: string;
    status: PartnerAgreementStatus;
    renewalDueAt: Date | null;
    signedAt: Date | null;
    signatureId: string | null;
    requestId: string | null;
    expiresAt: Date | null;
  }[];
};

export async function listPartners(viewer: Viewer, now = new Date()): Promise<PartnerOverview[]> {
  assertCompliance(viewer, false);
  const db = await getDb();
  const rows = await db.select().from(partners).orderBy(partners.name);
  if (rows.length === 0) return [];
  const requests = await db
    .select()
    .from(partnerSigningRequests)
    .where(
      inArray(
        partnerSigningRequests.partnerId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(desc(partnerSigningRequests.createdAt));
  const requestIds = requests.map((r) => r.id);
  const sigs = requestIds.length
    ? await db
        .select({
          id: signatures.id,
          partnerRequestId: signatures.partnerRequestId,
          agreementId: signatures.agreementId,
          agreementVersion: signatures.agreementVersion,
          outcome: signatures.outcome,
          signedAt: signatures.signedAt,
          renewalDueAt: signatures.renewalDueAt,
        })
        .from(signatures)
        .where(inArray(signatures.partnerRequestId, requestIds))
    : [];
  return rows.map((partner) => ({
    id: partner.id,
    name: partner.name,
    contactName: partner.contactName,
    contactEmail: partner.contactEmail,
    agreements: partner.requiredAgreements.map((agreementId) => {
      const template = getAgreementTemplate(agreementId);
      const mine = requests.filter((r) => r.partnerId === partner.id && r.agreementId === agreementId);
      const mySigs = sigs.filter((s) => mine.some((r) => r.id === s.partnerRequestId));
      const { status, signature, request } = partnerAgreementStatus(
        template ? { version: template.version } : null,
        mine,
        mySigs,
        now,
      );
      return {
        agreementId,
        title: template?.title ?? agreementId,
        status,
        renewalDueAt: signature?.renewalDueAt ?? null,
        signedAt: signature?.signedAt ?? null,
        signatureId: signature?.id ?? null,
        requestId: request?.id ?? null,
        expiresAt: request?.expiresAt ?? null,
      };
    }),
  }));
}

export async function createPartner(
  viewer: Viewer,
  context: AuditContext,
  input: { name: string; contactName: string; contactEmail: string; requiredAgreements: string[] },
  now = new Date(),
) {
  assertCompliance(viewer, true);
  for (const id of input.requiredAgreements) {
    if (getAgreementTemplate(id)?.audience !== "partner")
      throw new DomainError("unknown_agreement", `"${id}" is not a partner agreement.`);
  }
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(partners)
      .values({
        name: input.name,
        contactName: input.contactName,
        contactEmail: input.contactEmail.toLowerCase(),
        requiredAgreements: input.requiredAgreements,
        createdAt: now,
      })
      .returning({ id: partners.id });
    await recordAudit(
      tx,
      context,
      {
        action: "partner.created",
        targetType: "partner",
        targetId: row.id,
        data: { name: input.name, agreements: input.requiredAgreements },
      },
      now,
    );
    return row;
  });
}

/** Creates a signing request with a fresh single-use token and emails the link. */
export async function sendPartnerAgreement(
  viewer: Viewer,
  context: AuditContext,
  partnerId: string,
  agreementId: string,
  now = new Date(),
) {
  assertCompliance(viewer, true);
  const template = getAgreementTemplate(agreementId);
  if (!template || template.audience !== "partner") throw new NotFoundError("That agreement does not exist.");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [partner] = await tx.select().from(partners).where(eq(partners.id, partnerId));
    if (!partner) throw new NotFoundError("That partner does not exist.");
    const [pending] = await tx
      .select({ id: partnerSigningRequests.id, expiresAt: partnerSigningRequests.expiresAt })
      .from(partnerSigningRequests)
      .where(
        and(
          eq(partnerSigningRequests.partnerId, partnerId),
          eq(partnerSigningRequests.agreementId, agreementId),
          eq(partnerSigningRequests.status, "pending"),
        ),
      );
    if (pending && pending.expiresAt > now)
      throw new DomainError(
        "already_pending",
        "A signing link for this agreement is already pending. Resend it or void it first.",
      );
    const request = await openSigningRequest(tx, { partner, agreementId, requestedBy: viewer, now });
    await recordAudit(
      tx,
      context,
      {
        action: "partner.agreement_sent",
        targetType: "partner_request",
        targetId: request.id,
        data: { partnerId, agreementId, version: request.agreementVersion },
      },
      now,
    );
    return { id: request.id, expiresAt: request.expiresAt };
  });
}

/**
 * A signing request with a fresh single-use token (stored hashed) valid for
 * SIGNING_LINK_DAYS, and the email that carries the link. Callers check
 * access, that the agreement is a partner agreement, and audit.
 */
export async function openSigningRequest(
  tx: Executor,
  p: {
    partner: { id: string; name: string; contactName: string; contactEmail: string };
    agreementId: string;
    requestedBy: { id: string; name: string };
    now: Date;
  },
) {
  const template = getAgreementTemplate(p.agreementId);
  if (!template || template.audience !== "partner") throw new NotFoundError("That agreement does not exist.");
  const token = randomToken();
  const [request] = await tx
    .insert(partnerSigningRequests)
    .values({
      partnerId: p.partner.id,
      agreementId: p.agreementId,
      agreementVersion: template.version,
      contactName: p.partner.contactName,
      contactEmail: p.partner.contactEmail,
      tokenHash: sha256Hex(token),
      expiresAt: addDays(p.now, SIGNING_LINK_DAYS),
      createdBy: p.requestedBy.id,
      createdAt: p.now,
    })
    .returning({
      id: partnerSigningRequests.id,
      expiresAt: partnerSigningRequests.expiresAt,
      agreementVersion: partnerSigningRequests.agreementVersion,
    });
  await emailLink(tx, {
    requestId: request.id,
    token,
    partnerName: p.partner.name,
    signerName: p.partner.contactName,
    email: p.partner.contactEmail,
    title: template.title,
    expiresAt: request.expiresAt,
    requestedBy: p.requestedBy.name,
    now: p.now,
  });
  return request;
}

async function emailLink(
  tx: Executor,
  p: {
    requestId: string;
    token: string;
    partnerName: string;
    signerName: string;
    email: string;
    title: string;
    expiresAt: Date;
    requestedBy: string;
    now?: Date;
  },
) {
  await queueEmail(tx, {
    kind: "partner-signing-link",
    props: {
      signerName: p.signerName,
      partnerName: p.partnerName,
      agreementTitle: p.title,
      signingPath: `/partner-sign/${p.token}`,
      expiresAt: p.expiresAt,
      requestedByName: p.requestedBy,
    },
    to: { email: p.email },
    dedupeKey: `partner-signing-link:${p.requestId}:${sha256Hex(p.token).slice(0, 16)}`,
    now: p.now,
  });
}

/**
 * Gives a pending request a new link, valid SIGNING_LINK_DAYS from now; the old one stops working at once, so
 * there is only ever one live link per request. Whoever opens it must still confirm a code sent to the contact.
 */
async function replaceLink(tx: Executor, requestId: string, now: Date) {
  const [request] = await tx
    .select()
    .from(partnerSigningRequests)
    .where(eq(partnerSigningRequests.id, requestId))
    .for("update");
  if (!request) throw new NotFoundError("That signing request does not exist.");
  if (request.status !== "pending")
    throw new DomainError("not_pending", `This request is ${request.status}; send a new one instead.`);
  const token = randomToken();
  const expiresAt = addDays(now, SIGNING_LINK_DAYS);
  await tx
    .update(partnerSigningRequests)
    .set({
      tokenHash: sha256Hex(token),
      expiresAt,
      otpHash: null,
      otpExpiresAt: null,
      otpAttempts: 0,
      otpSentCount: 0,
      otpVerifiedAt: null,
      browserKeyHash: null,
    })
    .where(eq(partnerSigningRequests.id, requestId));
  return { request, token, expiresAt };
}

/** A new link replaces the old one, which stops working at once. */
export async function resendPartnerRequest(viewer: Viewer, context: AuditContext, requestId: string, now = new Date()) {
  assertCompliance(viewer, true);
  const db = await getDb();
  await db.transaction(async (tx) => {
    const { request, token, expiresAt } = await replaceLink(tx, requestId, now);
    const [partner] = await tx.select().from(partners).where(eq(partners.id, request.partnerId));
    await emailLink(tx, {
      requestId,
      token,
      partnerName: partner.name,
      signerName: request.contactName,
      email: request.contactEmail,
      title: getAgreementTemplate(request.agreementId)?.title ?? request.agreementId,
      expiresAt,
      requestedBy: viewer.name,
    });
    await recordAudit(
      tx,
      context,
      { action: "partner.agreement_resent", targetType: "partner_request", targetId: requestId },
      now,
    );
  });
}

/**
 * A new link for the admin to pass on by another channel (when no email can be sent, say): it replaces the
 * emailed one, which stops working. The signer must still confirm the code emailed to the contact's address
 * (shown to admins in the outbox), so the link alone signs nothing. Returns the path; only its hash is kept.
 */
export async function copyPartnerLink(
  viewer: Viewer,
  context: AuditContext,
  requestId: string,
  now = new Date(),
): Promise<{ path: string; expiresAt: Date }> {
  assertCompliance(viewer, true);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const { token, expiresAt } = await replaceLink(tx, requestId, now);
    await recordAudit(
      tx,
      context,
      { action: "partner.link_copied", targetType: "partner_request", targetId: requestId },
      now,
    );
    return { path: `/partner-sign/${token}`, expiresAt };
  });
}

export async function voidPartnerRequest(viewer: Viewer, context: AuditContext, requestId: string, now = new Date()) {
  assertCompliance(viewer, true);
  const db = await getDb();
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(partnerSigningRequests)
      .set({ status: "void", completedAt: now })
      .where(and(eq(partnerSigningRequests.id, requestId), eq(partnerSigningRequests.status, "pending")))
      .returning({ id: partnerSigningRequests.id });
    if (updated.length === 0) throw new DomainError("not_pending", "Only a pending request can be voided.");
    await recordAudit(
      tx,
      context,
      { action: "partner.agreement_voided", targetType: "partner_request", targetId: requestId },
      now,
    );
  });
}
