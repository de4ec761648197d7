import { sign, verify, X509Certificate, type KeyObject } from "node:crypto";

import { z } from "zod";

import { canonicalJson } from "./canonical";

/**
 * A checkpoint file: a statement of the audit chain's head, signed with the
 * organisation's sealing key (RSA PKCS#1 v1.5, SHA-256) over the statement's
 * canonical JSON, with the signer's certificate. Self-contained: anyone with
 * the certificate can check it without the database. Every field is either
 * signed or checked to be in its one canonical form, so no byte of the file
 * can change without the file being refused.
 */
export const CHECKPOINT_FORMAT = "clearance-audit-checkpoint/1";

export const checkpointStatement = z
  .object({
    format: z.literal(CHECKPOINT_FORMAT),
    organisation: z.string(),
    headId: z.number().int().nonnegative().describe("The id of the newest audit event the checkpoint covers."),
    headHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe("That event's hash."),
    eventCount: z
      .number()
      .int()
      .nonnegative()
      .describe("How many events the log held from the first through the head."),
    createdAt: z.iso.datetime().describe("When the checkpoint was signed (UTC)."),
    trigger: z.enum(["scheduled", "manual"]).describe("The hourly scheduled run, or a person's request."),
  })
  .strict();
export type CheckpointStatement = z.infer<typeof checkpointStatement>;

export const checkpointFile = z
  .object({
    statement: checkpointStatement,
    signature: z
      .object({
        algorithm: z.literal("RSA-SHA256"),
        value: z.string().describe("Base64 signature over the statement's canonical JSON (keys sorted, no spaces)."),
      })
      .strict(),
    certificate: z.string().describe("The signer's X.509 certificate, PEM."),
  })
  .strict();
export type CheckpointFile = z.infer<typeof checkpointFile>;

export function signCheckpoint(
  statement: CheckpointStatement,
  signer: { privateKey: KeyObject; certificatePem: string },
): CheckpointFile {
  const value = sign("sha256", Buffer.from(canonicalJson(statement)), signer.privateKey).toString("base64");
  return { statement, signature: { algorithm: "RSA-SHA256", value }, certificate: signer.certificatePem };
}

/** The file as it is stored and downloaded. */
export const checkpointFileText = (file: CheckpointFile) => `${JSON.stringify(file, null, 2)}\n`;

export type OpenedCheckpoint =
  | { ok: true; statement: CheckpointStatement; fingerprint: string }
  | { ok: false; code: "malformed" | "bad_signature" | "untrusted"; problem: string };

/**
 * Checks a checkpoint file: its shape, its signature, and that the signer is
 * one of the `trusted` certificates (PEM), normally this organisation's
 * sealing certificate. A file signed by anyone else is refused however
 * well-formed it is.
 */
export function openCheckpoint(text: string, trusted: string[]): OpenedCheckpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: "malformed", problem: "The file is not a checkpoint: it is not valid JSON." };
  }
  const parsed = checkpointFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      code: "malformed",
      problem: `The file is not a checkpoint: ${issue.path.join(".") || "the file"}: ${issue.message}.`,
    };
  }
  const file = parsed.data;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(file.certificate);
  } catch {
    return { ok: false, code: "malformed", problem: "The checkpoint's certificate cannot be read." };
  }
  if (certificate.toString() !== file.certificate)
    return { ok: false, code: "bad_signature", problem: "The checkpoint's certificate was altered." };
  const signature = Buffer.from(file.signature.value, "base64");
  // Base64 decoding forgives stray and padding bits; only the canonical form is accepted.
  const canonical = signature.toString("base64") === file.signature.value;
  let valid = false;
  try {
    valid = canonical && verify("sha256", Buffer.from(canonicalJson(file.statement)), certificate.publicKey, signature);
  } catch {
    valid = false;
  }
  if (!valid)
    return {
      ok: false,
      code: "bad_signature",
      problem: "The checkpoint's signature does not verify: the file was modified after it was signed.",
    };
  const fingerprint = certificate.fingerprint256;
  const isTrusted = trusted.some((pem) => {
    try {
      return new X509Certificate(pem).fingerprint256 === fingerprint;
    } catch {
      return false;
    }
  });
  if (!isTrusted)
    return {
      ok: false,
      code: "untrusted",
      problem: `The checkpoint is signed by a certificate that is not this organisation's sealing certificate (SHA-256 fingerprint ${fingerprint}).`,
    };
  return { ok: true, statement: file.statement, fingerprint };
}
