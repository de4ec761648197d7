import "server-only";

import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { signatures, signingCeremonies, type SigningEvent } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import type { Agreement } from "@/lib/content/load";
import { encryptBytes } from "@/lib/crypto/encryption";
import { sha256Hex } from "@/lib/crypto/hash";
import { env } from "@/lib/env";
import { isoDate } from "@/lib/format";
import { queueEmail } from "@/lib/notify/queue-email";
import { renderAgreementPdf } from "@/lib/pdf/render-agreement";
import { sealPdf } from "@/lib/pdf/seal";
import { queueStatement } from "@/lib/xapi/queue";
import { agreementSigned } from "@/lib/xapi/statements";

import { fillPlaceholders, renewalDueFor } from "./signing.rules";

export type CeremonyFacts = { id: string; startedAt: Date; consentAt: Date; readAt?: Date | null };

export type SignatureInput = {
  template: Agreement;
  consent: { version: string; text: string };
  signer: { name: string; email: string; organisation?: string; partnerName?: string };
  personId: string | null;
  partnerRequestId: string | null;
  ceremony: CeremonyFacts;
  identity: { method: string; confirmedAt: Date; label: string };
  /** How the signer marked their agreement: a typed name (the default, with any drawing) or an acknowledgement. */
  mark?: "typed" | "acknowledged";
  signatureImagePng: Buffer | null;
  context: AuditContext & { ip: string };
  now?: Date;
};

export function agreementText(
  template: Agreement,
  signer: { name: string; email: string; partnerName?: string },
  date: Date,
): string {
  const text = fillPlaceholders(template.body, {
    personName: signer.name,
    personEmail: signer.email,
    organisation: env().ORG_NAME,
    jurisdiction: env().ORG_JURISDICTION,
    partnerName: signer.partnerName,
    date,
  });
  // A policy whose document is a PDF: the signed text names that exact file.
  if (!template.pdf) return text;
  return `${text}\n\n**Document:** ${template.id}.pdf, version ${template.version}, ${template.pdf.bytes.toLocaleString("en")} bytes, SHA-256 \`${template.pdf.sha256}\`.`;
}

export function consentText(consent: { text: string }): string {
  return fillPlaceholders(consent.text, {
    personName: "",
    personEmail: "",
    organisation: env().ORG_NAME,
    jurisdiction: env().ORG_JURISDICTION,
    date: new Date(),
  });
}

/**
 * Renders, seals, encrypts and records a signature, then queues the signed copy
 * by email. The PDF is built before the transaction; the records and the email
 * commit together.
 */
export async function completeSignature(input: SignatureInput): Promise<{ signatureId: string; pdfSha256: string }> {
  const now = input.now ?? new Date();
  const { template, signer } = input;
  const signatureId = randomUUID();
  const body = agreementText(template, signer, now);
  const textSha256 = sha256Hex(body);
  const consent = consentText(input.consent);
  const events: SigningEvent[] = [
    { at: input.ceremony.startedAt.toISOString(), label: "Agreement opened and presented in full" },
    {
      at: input.ceremony.consentAt.toISOString(),
      label: `Consent to electronic records and signatures given (v${input.consent.version})`,
    },
    ...(input.ceremony.readAt
      ? [{ at: input.ceremony.readAt.toISOString(), label: "Read to the end of the text" }]
      : []),
    { at: input.identity.confirmedAt.toISOString(), label: input.identity.label },
    {
      at: now.toISOString(),
      label:
        input.mark === "acknowledged"
          ? `Acknowledged by ${signer.name} ("I have read and accept")`
          : `Signed by typing the name "${signer.name}"${input.signatureImagePng ? " and drawing a signature" : ""}`,
    },
    { at: now.toISOString(), label: "Document sealed with the organisation's certificate" },
  ].sort((a, b) => a.at.localeCompare(b.at));
  const unsealed = await renderAgreementPdf({
    documentId: signatureId,
    title: template.title,
    version: template.version,
    organisation: env().ORG_NAME,
    bodyMarkdown: body,
    signer: { name: signer.name, email: signer.email, organisation: signer.organisation },
    signedAt: now,
    signatureImagePng: input.signatureImagePng ?? undefined,
    certificate: {
      authMethod: input.identity.method,
      ip: input.context.ip,
      userAgent: input.context.userAgent ?? "unknown",
      consentVersion: input.consent.version,
      consentMarkdown: consent,
      textSha256,
      events: events.map((e) => ({ at: new Date(e.at), label: e.label })),
    },
  });
  const sealed = await sealPdf(unsealed, {
    reason: `Signed ${template.title} v${template.version}`,
    contactInfo: signer.email,
  });
  const pdfSha256 = sha256Hex(sealed);
  const filename = `${template.id}-v${template.version}-${isoDate(now)}.pdf`;

  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.insert(signatures).values({
      id: signatureId,
      agreementId: template.id,
      agreementVersion: template.version,
      agreementTitle: template.title,
      audience: template.audience,
      personId: input.personId,
      partnerRequestId: input.partnerRequestId,
      outcome: "signed",
      signerName: signer.name,
      signerEmail: signer.email,
      signerOrganisation: signer.organisation ?? null,
      authMethod: input.identity.method,
      ip: input.context.ip,
      userAgent: input.context.userAgent ?? "unknown",
      consentVersion: input.consent.version,
      consentText: consent,
      textSha256,
      bodySnapshot: body,
      events,
      signedAt: now,
      renewalDueAt: renewalDueFor(now, template.renewalMonths),
      pdfEnc: encryptBytes(Buffer.from(sealed), `signature:${signatureId}`),
      pdfSha256,
      signatureImageEnc: input.signatureImagePng
        ? encryptBytes(input.signatureImagePng, `signature-image:${signatureId}`)
        : null,
    });
    await tx.update(signingCeremonies).set({ completedAt: now }).where(eq(signingCeremonies.id, input.ceremony.id));
    await recordAudit(
      tx,
      input.context,
      {
        action: "agreement.signed",
        targetType: "signature",
        targetId: signatureId,
        data: {
          agreementId: template.id,
          version: template.version,
          personId: input.personId,
          partnerRequestId: input.partnerRequestId,
          pdfSha256,
        },
      },
      now,
    );
    // A learning record is about the organisation's people; a partner's signature stays in Clearance.
    const personId = input.personId;
    if (personId)
      await queueStatement(
        tx,
        (origin) =>
          agreementSigned(origin, {
            person: { id: personId, email: signer.email },
            agreement: { id: template.id, title: template.title, version: template.version },
            signatureId,
            pdfSha256,
            at: now,
          }),
        now,
      );
    await queueEmail(tx, {
      kind: "signed-copy",
      props: {
        name: signer.name,
        agreementTitle: template.title,
        version: template.version,
        signedAt: now,
        sha256: pdfSha256,
        filename,
        viewPath: "/verify",
      },
      to: { email: signer.email, personId: input.personId },
      dedupeKey: `signed-copy:${signatureId}`,
      attachments: [{ filename, contentType: "application/pdf", content: sealed }],
      now,
    });
  });
  return { signatureId, pdfSha256 };
}

/** Records a refusal to sign: the text that was offered, who declined, how they were identified, and why. */
export async function recordDecline(
  tx: Executor,
  input: {
    template: Agreement;
    body: string;
    signer: { name: string; email: string; organisation?: string };
    personId: string | null;
    partnerRequestId: string | null;
    authMethod: string;
    reason: string;
    context: AuditContext & { ip: string };
    now: Date;
  },
): Promise<string> {
  const [row] = await tx
    .insert(signatures)
    .values({
      agreementId: input.template.id,
      agreementVersion: input.template.version,
      agreementTitle: input.template.title,
      audience: input.template.audience,
      personId: input.personId,
      partnerRequestId: input.partnerRequestId,
      outcome: "declined",
      signerName: input.signer.name,
      signerEmail: input.signer.email,
      signerOrganisation: input.signer.organisation ?? null,
      authMethod: input.authMethod,
      ip: input.context.ip,
      userAgent: input.context.userAgent ?? "unknown",
      textSha256: sha256Hex(input.body),
      bodySnapshot: input.body,
      events: [{ at: input.now.toISOString(), label: "Declined" }],
      declineReason: input.reason.slice(0, 1000) || null,
      signedAt: input.now,
    })
    .returning({ id: signatures.id });
  await recordAudit(
    tx,
    input.context,
    {
      action: "agreement.declined",
      targetType: "signature",
      targetId: row.id,
      data: {
        agreementId: input.template.id,
        version: input.template.version,
        partnerRequestId: input.partnerRequestId,
      },
    },
    input.now,
  );
  return row.id;
}
