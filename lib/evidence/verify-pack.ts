import { createHash, X509Certificate } from "node:crypto";

import { z } from "zod";

import { verifyDetachedSignature, type DetachedSigner } from "@/lib/pdf/verify-seal";

import { readZip, ZipReadError } from "./zip-reader";

const MANIFEST = "manifest.json";
const MANIFEST_SIGNATURE = "manifest.json.p7s";

const manifestSchema = z.object({
  format: z.literal("clearance-evidence-pack/1"),
  packId: z.string(),
  period: z.object({ from: z.string(), to: z.string() }),
  scope: z.object({ departmentId: z.string().nullable(), department: z.string().nullable() }),
  generatedBy: z.object({ id: z.string().nullable(), label: z.string() }),
  generatedAt: z.string(),
  files: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: z.string() })),
});

export type PackManifest = z.infer<typeof manifestSchema>;

export type PackVerification =
  | {
      ok: true;
      manifest: PackManifest;
      signer: DetachedSigner;
      /** Whether the signer is one of the certificates given as the organisation's (null: none given). */
      trusted: boolean | null;
    }
  | { ok: false; reason: string; signer?: DetachedSigner };

/**
 * Checks an evidence pack the way a third party would: the manifest's
 * detached signature, then every file against the manifest's size and
 * SHA-256, and that the ZIP holds exactly the manifest's files. The first
 * failure is the answer, naming the file at fault.
 */
export function verifyEvidencePack(zip: Buffer, trustedPems: string[] = []): PackVerification {
  let entries;
  try {
    entries = readZip(zip);
  } catch (error) {
    if (error instanceof ZipReadError) return { ok: false, reason: error.message };
    throw error;
  }
  const byPath = new Map(entries.map((e) => [e.path, e.content]));
  const manifestBytes = byPath.get(MANIFEST);
  const signatureBytes = byPath.get(MANIFEST_SIGNATURE);
  if (!manifestBytes) return { ok: false, reason: `${MANIFEST} is missing.` };
  if (!signatureBytes) return { ok: false, reason: `${MANIFEST_SIGNATURE} is missing.` };
  const signer = verifyDetachedSignature(signatureBytes, manifestBytes);
  if (!signer) return { ok: false, reason: `${MANIFEST_SIGNATURE}: the signature does not verify over ${MANIFEST}.` };

  let manifest: PackManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(manifestBytes.toString("utf8")));
  } catch {
    return { ok: false, reason: `${MANIFEST}: not a manifest this verifier reads.`, signer };
  }
  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.path);
    const content = byPath.get(file.path);
    if (!content)
      return { ok: false, reason: `${file.path}: listed in the manifest but missing from the ZIP.`, signer };
    if (content.length !== file.size)
      return { ok: false, reason: `${file.path}: ${content.length} bytes, the manifest says ${file.size}.`, signer };
    if (createHash("sha256").update(content).digest("hex") !== file.sha256)
      return { ok: false, reason: `${file.path}: its SHA-256 does not match the manifest.`, signer };
  }
  const extra = entries.find((e) => !listed.has(e.path) && e.path !== MANIFEST && e.path !== MANIFEST_SIGNATURE);
  if (extra) return { ok: false, reason: `${extra.path}: in the ZIP but not in the manifest.`, signer };

  const trusted =
    trustedPems.length === 0
      ? null
      : trustedPems.some((pem) => new X509Certificate(pem).fingerprint256 === signer.fingerprint256);
  return { ok: true, manifest, signer, trusted };
}
