import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

import { signatures, signingCeremonies } from "@/db/schema";
import { markRead, openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { signedPdf } from "@/lib/agreements/signed-documents";
import { getAgreementTemplate } from "@/lib/content";

import { consentToSign } from "../helpers/consent";
import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * How people sign an agreement is the agreement's choice: a click for a
 * policy, a typed name with identity confirmed again, or that and a drawing;
 * and an agreement can require reading to the end before any of them works.
 */

const database = withTestDatabase();
const ID = "acceptable-use-attestation";
const template = () => getAgreementTemplate(ID)!;
const shipped = { mustRead: template().mustRead, signature: template().signature };
afterEach(() => Object.assign(template(), shipped));

const ctx = (id: string) => ({ ...context(id), ip: "203.0.113.8", userAgent: "vitest" });
const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

async function openWithConsent(name = "Ada Lovelace") {
  const person = await createPerson(database.db(), { name });
  const viewer = viewerOf(person);
  const opened = await openSigning(viewer, ID, "203.0.113.8");
  await consentToSign(viewer, ctx(viewer.id), ID, opened.ceremony.id);
  return { viewer, ceremonyId: opened.ceremony.id };
}

describe("signature levels", () => {
  it("an acknowledgement that must be read in full: refused before the end is reached, then a click seals it", async () => {
    Object.assign(template(), { signature: "acknowledge", mustRead: true });
    const { viewer, ceremonyId } = await openWithConsent("Grace Hopper");
    await expect(signAsEmployee(viewer, ctx(viewer.id), { agreementId: ID, ceremonyId })).rejects.toMatchObject({
      code: "read_required",
    });
    expect(await database.db().select().from(signatures)).toEqual([]);

    const readAt = await markRead(viewer, ID, ceremonyId, new Date(Date.now() - 1000));
    // Reading again keeps the first time.
    expect(await markRead(viewer, ID, ceremonyId)).toEqual(readAt);
    const { signatureId } = await signAsEmployee(viewer, ctx(viewer.id), { agreementId: ID, ceremonyId });
    const [row] = await database.db().select().from(signatures).where(eq(signatures.id, signatureId));
    expect(row).toMatchObject({ outcome: "signed", signerName: "Grace Hopper" });
    expect(row.authMethod).toMatch(/acknowledged in the signed-in session/);
    const labels = row.events.map((e) => e.label);
    expect(labels).toContain("Read to the end of the text");
    expect(labels).toContain('Acknowledged by Grace Hopper ("I have read and accept")');
    expect(row.events.map((e) => e.at)).toEqual([...row.events.map((e) => e.at)].sort());

    const { bytes } = await signedPdf(viewer, ctx(viewer.id), signatureId);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "ack-")), "ack.pdf");
    writeFileSync(file, bytes);
    expect(execFileSync("pdfsig", [file], { encoding: "utf8" })).toContain("Signature is Valid");
    expect(execFileSync("pdftotext", [file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ")).toContain(
      "Read to the end of the text",
    );
  });

  it("reading is recorded only on the reader's own open signing", async () => {
    Object.assign(template(), { mustRead: true });
    const owner = await openWithConsent("Owner Person");
    const other = await openWithConsent("Other Person");
    await expect(markRead(other.viewer, ID, owner.ceremonyId)).rejects.toMatchObject({ code: "signing_expired" });
    await expect(markRead(owner.viewer, "employee-nda", owner.ceremonyId)).rejects.toMatchObject({
      code: "signing_expired",
    });
    const [row] = await database
      .db()
      .select()
      .from(signingCeremonies)
      .where(eq(signingCeremonies.id, owner.ceremonyId));
    expect(row.readAt).toBeNull();
  });

  it("a typed signature still needs the identity confirmed; a drawn one also needs the drawing", async () => {
    const typed = await openWithConsent("Typed Signer");
    await expect(
      signAsEmployee(typed.viewer, ctx(typed.viewer.id), {
        agreementId: ID,
        ceremonyId: typed.ceremonyId,
        typedName: "Typed Signer",
      }),
    ).rejects.toMatchObject({ code: "reauth_required", field: "password" });

    Object.assign(template(), { signature: "drawn" });
    const drawn = await openWithConsent("Drawn Signer");
    const input = { agreementId: ID, ceremonyId: drawn.ceremonyId, typedName: "Drawn Signer", password: TEST_PASSWORD };
    await expect(signAsEmployee(drawn.viewer, ctx(drawn.viewer.id), input)).rejects.toMatchObject({
      code: "signature_required",
      field: "signature",
    });
    const { signatureId } = await signAsEmployee(drawn.viewer, ctx(drawn.viewer.id), {
      ...input,
      signatureDataUrl: PNG,
    });
    const [row] = await database.db().select().from(signatures).where(eq(signatures.id, signatureId));
    expect(row.signatureImageEnc).not.toBeNull();
    expect(row.events.map((e) => e.label)).toContain(
      'Signed by typing the name "Drawn Signer" and drawing a signature',
    );
  });
});
