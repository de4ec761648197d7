import { createHash } from "node:crypto";

import { eq } from "drizzle-orm";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { afterEach, describe, expect, it } from "vitest";

import { contentSettings, contentVersions, signatures } from "@/db/schema";
import { markRead, openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { agreementDocument, getAgreementTemplate } from "@/lib/content";
import { attachDocument, createItem, saveDraft, submitDraft } from "@/lib/content/authoring";
import { type ItemRef } from "@/lib/content/item-files";
import { exportOwnContent, importContentZip } from "@/lib/content/transfer";
import { getVersion } from "@/lib/content/versions";
import { readZip } from "@/lib/evidence/zip-reader";

import { consentToSign } from "../helpers/consent";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { resetToShippedContent } from "../helpers/own-content";
import { withTestDatabase } from "../helpers/test-database";

/**
 * A policy kept as a PDF: attached to an agreement's draft, published, served
 * to the people who must open it before acknowledging, named by its SHA-256 in
 * what they sign, and carried byte for byte through export and import.
 */

const database = withTestDatabase();
const REF: ItemRef = { kind: "agreement", id: "travel-policy" };

// Every test starts from the shipped catalogue.
afterEach(() => resetToShippedContent(database.db()));

async function policyPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage();
  page.drawText("Travel policy: lock your laptop in hotel safes.", {
    x: 50,
    y: 700,
    font: await doc.embedFont(StandardFonts.Helvetica),
    size: 12,
  });
  return Buffer.from(await doc.save());
}

async function admin() {
  const person = await createPerson(database.db(), { roles: ["compliance_admin"] });
  return { viewer: viewerOf(person), ctx: context(person.id) };
}

async function publishPolicy(pdf: Buffer) {
  const db = database.db();
  const a = await admin();
  const { id } = await createItem(db, a.viewer, a.ctx, REF, "Travel policy");
  const draft = await getVersion(db, a.viewer, id);
  const md = draft.files[`agreements/${REF.id}.md`].replace(
    "renewalMonths: 12",
    "renewalMonths: 12\nsignature: acknowledge",
  );
  await saveDraft(db, a.viewer, {
    draftId: id,
    files: { [`agreements/${REF.id}.md`]: md },
    expectedUpdatedAt: draft.updatedAt,
  });
  await attachDocument(db, a.viewer, REF, pdf);
  // Agreements need a second admin by default: switch that off for this organisation.
  await db.insert(contentSettings).values({ kind: "agreement", requireApproval: false, updatedAt: new Date() });
  const published = await submitDraft(db, a.viewer, a.ctx, { draftId: id, change: "major" });
  return { admin: a, published };
}

describe("a policy kept as a PDF", () => {
  it("is attached, published, opened before acknowledging, and named by its SHA-256 in what is signed", async () => {
    const db = database.db();
    const pdf = await policyPdf();
    const sha256 = createHash("sha256").update(pdf).digest("hex");
    const { published } = await publishPolicy(pdf);
    expect(published).toEqual({ state: "published", version: "1.0.0" });
    const template = getAgreementTemplate(REF.id)!;
    expect(template).toMatchObject({
      document: "pdf",
      mustRead: true,
      signature: "acknowledge",
      pdf: { sha256, bytes: pdf.length },
    });
    expect(agreementDocument(REF.id)?.equals(pdf)).toBe(true);

    const person = await createPerson(db, { name: "Pat Traveller" });
    const viewer = viewerOf(person);
    const ctx = { ...context(person.id), ip: "203.0.113.9", userAgent: "vitest" };
    const opened = await openSigning(viewer, REF.id, ctx.ip);
    expect(opened.text).toContain(sha256);
    await consentToSign(viewer, ctx, REF.id, opened.ceremony.id);
    await expect(
      signAsEmployee(viewer, ctx, { agreementId: REF.id, ceremonyId: opened.ceremony.id }),
    ).rejects.toMatchObject({ code: "read_required" });
    await markRead(viewer, REF.id, opened.ceremony.id);
    const { signatureId } = await signAsEmployee(viewer, ctx, { agreementId: REF.id, ceremonyId: opened.ceremony.id });
    const [row] = await db.select().from(signatures).where(eq(signatures.id, signatureId));
    expect(row.bodySnapshot).toContain(`SHA-256 \`${sha256}\``);
    expect(row.agreementVersion).toBe("1.0.0");
  });

  it("refuses what is not a PDF, and keeps the PDF through saves of the text", async () => {
    const db = database.db();
    const a = await admin();
    const { id } = await createItem(db, a.viewer, a.ctx, REF, "Travel policy");
    await expect(attachDocument(db, a.viewer, REF, Buffer.from("<html>not a pdf</html>"))).rejects.toMatchObject({
      code: "not_pdf",
    });
    await expect(
      attachDocument(db, a.viewer, { kind: "course", id: "insider-risk" }, await policyPdf()),
    ).rejects.toMatchObject({ code: "not_agreement" });
    const pdf = await policyPdf();
    await attachDocument(db, a.viewer, REF, pdf);
    const draft = await getVersion(db, a.viewer, id);
    const text = { [`agreements/${REF.id}.md`]: draft.files[`agreements/${REF.id}.md`] };
    const saved = await saveDraft(db, a.viewer, { draftId: id, files: text, expectedUpdatedAt: draft.updatedAt });
    expect(saved.problems).toEqual([]);
    expect((await getVersion(db, a.viewer, id)).files[`agreements/${REF.id}.pdf`]).toBe(pdf.toString("base64"));
    // A stored PDF that is not one is refused with the rest of the draft.
    await expect(
      saveDraft(db, a.viewer, {
        draftId: id,
        files: { ...text, [`agreements/${REF.id}.pdf`]: Buffer.from("GIF89a").toString("base64") },
        expectedUpdatedAt: saved.updatedAt,
      }),
    ).rejects.toMatchObject({ code: "not_pdf" });
  });

  it("goes out in an export as the PDF itself and comes back in byte for byte", async () => {
    const db = database.db();
    const pdf = await policyPdf();
    const { admin: a } = await publishPolicy(pdf);
    const { zip } = await exportOwnContent(db, a.viewer);
    const entries = new Map(readZip(zip).map((e) => [e.path, e.content]));
    expect(entries.get(`agreements/${REF.id}.pdf`)?.equals(pdf)).toBe(true);
    expect(entries.get(`agreements/${REF.id}.md`)?.toString("utf8")).toMatch(/^document: pdf$/m);

    const result = await importContentZip(db, a.viewer, a.ctx, zip);
    expect(result.ok).toBe(true);
    const [draft] = await db.select().from(contentVersions).where(eq(contentVersions.state, "draft"));
    expect(Buffer.from(draft.files[`agreements/${REF.id}.pdf`], "base64").equals(pdf)).toBe(true);
  });
});
