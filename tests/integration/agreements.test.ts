import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents, outbox, signatures } from "@/db/schema";
import {
  agreementsFor,
  declineAsEmployee,
  myAgreements,
  openSigning,
  signAsEmployee,
} from "@/lib/agreements/employee-agreements";
import { signedPdf } from "@/lib/agreements/signed-documents";
import { verifySignedDocument } from "@/lib/agreements/verify-document";
import { verifyAuditChain } from "@/lib/audit/verify";
import { getContent } from "@/lib/content";
import { DomainError, NotFoundError } from "@/lib/errors";

import { consentToSign } from "../helpers/consent";
import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const ctx = (id: string) => ({
  ...context(id),
  ip: "203.0.113.7",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) vitest",
});
// 1×1 transparent PNG
const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

async function signNda(name: string, extra: { signature?: string } = {}) {
  const person = await createPerson(database.db(), { name });
  const viewer = viewerOf(person);
  const opened = await openSigning(viewer, "employee-nda", "203.0.113.7");
  await consentToSign(viewer, ctx(viewer.id), "employee-nda", opened.ceremony.id);
  const result = await signAsEmployee(viewer, ctx(viewer.id), {
    agreementId: "employee-nda",
    ceremonyId: opened.ceremony.id,
    password: TEST_PASSWORD,
    typedName: name,
    signatureDataUrl: extra.signature,
  });
  return { viewer, ...result };
}

describe("employee signing", () => {
  it("seals a PDF that pdfsig accepts, with the name in any script, the consent and the document id", async () => {
    const { viewer, signatureId, pdfSha256 } = await signNda("José Ñúñez 李华", { signature: PNG });
    const { bytes } = await signedPdf(viewer, ctx(viewer.id), signatureId);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "nda-")), "nda.pdf");
    writeFileSync(file, bytes);
    const sig = execFileSync("pdfsig", [file], { encoding: "utf8" });
    expect(sig).toContain("Signature is Valid");
    expect(sig).toContain("Total document signed");
    const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
    expect(text).toContain("José Ñúñez 李华");
    expect(text).toContain(signatureId);
    expect(text.replace(/\s+/g, " ")).toContain("electronic records and electronic signatures");
    // The consent's numbered points are a list: each starts its own line.
    const layout = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    expect(layout).toMatch(/^\s*1\.\s+What this consent covers\./m);
    expect(layout).toMatch(/^\s*2\.\s+Legal effect\./m);
    expect(execFileSync("pdfinfo", [file], { encoding: "utf8" })).toMatch(/^Tagged:\s+yes$/m);
    expect(text).toContain("203.0.113.7");

    expect(await verifySignedDocument(bytes)).toMatchObject({
      authentic: true,
      signerName: "José Ñúñez 李华",
      version: getContent().agreements.find((a) => a.id === "employee-nda")!.version,
    });
    const tampered = Buffer.from(bytes);
    tampered[Math.floor(tampered.length / 2)] ^= 0x01;
    expect(await verifySignedDocument(tampered)).toEqual({ authentic: false });

    const [row] = await database.db().select().from(signatures).where(eq(signatures.id, signatureId));
    expect(row.pdfSha256).toBe(pdfSha256);
    expect(row.pdfEnc).toMatch(/^v1\./);
    expect(Buffer.from(row.pdfEnc!, "utf8").includes(Buffer.from("%PDF"))).toBe(false);
    expect(row.signatureImageEnc).toMatch(/^v1\./);

    const [mail] = await database
      .db()
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `signed-copy:${signatureId}`));
    expect(mail.toEmail).toBe(viewer.email);
    expect(mail.attachmentsEnc).toBeTruthy();
  });

  it("refuses a typed name that does not match the record, and a wrong password", async () => {
    const person = await createPerson(database.db(), { name: "Ana Silva" });
    const viewer = viewerOf(person);
    const opened = await openSigning(viewer, "employee-nda", "203.0.113.7");
    const base = {
      agreementId: "employee-nda",
      ceremonyId: opened.ceremony.id,
      password: TEST_PASSWORD,
      typedName: "Ana Silva",
    };
    await expect(signAsEmployee(viewer, ctx(viewer.id), base)).rejects.toThrow("consent");
    await consentToSign(viewer, ctx(viewer.id), "employee-nda", opened.ceremony.id);
    await expect(signAsEmployee(viewer, ctx(viewer.id), { ...base, typedName: "Anna Silva" })).rejects.toThrow(
      'exactly as it appears on your record: "Ana Silva"',
    );
    await expect(signAsEmployee(viewer, ctx(viewer.id), { ...base, password: "wrong" })).rejects.toThrow(
      "That password is not right.",
    );
    const failed = await database
      .db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "agreement.reauth_failed"), eq(auditEvents.actorId, viewer.id)));
    expect(failed).toHaveLength(1);
  });

  it("lists what to sign and what is signed; a new major version puts it back on the list", async () => {
    const { viewer } = await signNda("Emma Larsen");
    const before = await myAgreements(viewer);
    expect(before.find((a) => a.template.id === "employee-nda")?.standing).toBe("signed");
    expect(before.find((a) => a.template.id === "acceptable-use-attestation")?.standing).toBe("to_sign");
    const nda = getContent().agreements.find((a) => a.id === "employee-nda")!;
    const original = nda.version;
    nda.version = "2.0.0";
    try {
      const after = await agreementsFor(viewer.id, viewer);
      expect(after.find((a) => a.template.id === "employee-nda")?.standing).toBe("new_version");
    } finally {
      nda.version = original;
    }
  });

  it("records a decline", async () => {
    const person = await createPerson(database.db(), { name: "Noah Kim" });
    const viewer = viewerOf(person);
    await declineAsEmployee(viewer, ctx(viewer.id), "acceptable-use-attestation", "I need to ask legal first");
    const [row] = await database.db().select().from(signatures).where(eq(signatures.personId, viewer.id));
    expect(row).toMatchObject({ outcome: "declined", declineReason: "I need to ask legal first", pdfEnc: null });
    expect((await myAgreements(viewer)).find((a) => a.template.id === "acceptable-use-attestation")?.standing).toBe(
      "to_sign",
    );
  });

  it("lets the signer, their manager, compliance and auditors download, and nobody else", async () => {
    const db = database.db();
    const manager = await createPerson(db, { roles: ["manager"] });
    const person = await createPerson(db, { name: "Grace Obi", managerId: manager.id });
    const viewer = viewerOf(person);
    const opened = await openSigning(viewer, "employee-nda", "1.2.3.4");
    await consentToSign(viewer, ctx(viewer.id), "employee-nda", opened.ceremony.id);
    const { signatureId } = await signAsEmployee(viewer, ctx(viewer.id), {
      agreementId: "employee-nda",
      ceremonyId: opened.ceremony.id,
      password: TEST_PASSWORD,
      typedName: "Grace Obi",
    });
    for (const allowed of [
      viewer,
      viewerOf(manager),
      viewerOf(await createPerson(db, { roles: ["compliance_admin"] })),
      viewerOf(await createPerson(db, { roles: ["auditor"] })),
    ]) {
      await expect(signedPdf(allowed, ctx(allowed.id), signatureId)).resolves.toHaveProperty("bytes");
    }
    for (const denied of [viewerOf(await createPerson(db)), viewerOf(await createPerson(db, { roles: ["manager"] }))]) {
      await expect(signedPdf(denied, ctx(denied.id), signatureId)).rejects.toThrow(NotFoundError);
    }
    const downloads = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "agreement.downloaded"), eq(auditEvents.targetId, signatureId)));
    expect(downloads).toHaveLength(4);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("refuses a drawn signature that is not a PNG", async () => {
    await expect(signNda("Liam O'Connor", { signature: "data:image/svg+xml;base64,PHN2Zz4=" })).rejects.toThrow(
      DomainError,
    );
  });
});
