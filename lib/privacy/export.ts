import "server-only";

import { eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { certifications, signatures } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import type { Viewer } from "@/lib/auth/roles";
import { decryptBytes } from "@/lib/crypto/encryption";
import { isoDate } from "@/lib/format";
import { certificatePdf } from "@/lib/training/certificate-pdf";

import { collectMyData } from "./my-data";
import { zip } from "./zip";

export async function exportMyDataJson(viewer: Viewer, context: AuditContext) {
  const data = await collectMyData(viewer);
  const db = await getDb();
  await recordAudit(db, context, {
    action: "privacy.exported",
    targetType: "person",
    targetId: viewer.id,
    data: { format: "json" },
  });
  return JSON.stringify(data, null, 2);
}

/** The JSON plus every signed PDF and completion certificate of the viewer's own. */
export async function exportMyDataZip(viewer: Viewer, context: AuditContext): Promise<Buffer> {
  const data = await collectMyData(viewer);
  const db = await getDb();
  const files: { name: string; data: Uint8Array | string }[] = [
    { name: "my-data.json", data: JSON.stringify(data, null, 2) },
  ];
  const signed = await db
    .select({
      id: signatures.id,
      agreementId: signatures.agreementId,
      version: signatures.agreementVersion,
      signedAt: signatures.signedAt,
      pdfEnc: signatures.pdfEnc,
    })
    .from(signatures)
    .where(eq(signatures.personId, viewer.id));
  for (const s of signed) {
    if (s.pdfEnc)
      files.push({
        name: `agreements/${s.agreementId}-v${s.version}-${isoDate(s.signedAt)}.pdf`,
        data: decryptBytes(s.pdfEnc, `signature:${s.id}`),
      });
  }
  const certs = await db
    .select({ id: certifications.id })
    .from(certifications)
    .where(eq(certifications.personId, viewer.id));
  for (const c of certs) {
    const { filename, bytes } = await certificatePdf(viewer, context, c.id);
    files.push({ name: `certificates/${filename}`, data: bytes });
  }
  await recordAudit(db, context, {
    action: "privacy.exported",
    targetType: "person",
    targetId: viewer.id,
    data: { format: "zip", files: files.length },
  });
  return zip(files);
}
