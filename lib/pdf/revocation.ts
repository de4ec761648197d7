import "server-only";

import { X509Certificate } from "node:crypto";

import { DomainError } from "@/lib/errors";
import { MINUTE } from "@/lib/time";

import { certificateFacts, crlRevokes, crlSignedBy, parseCrl, type CertificateFacts, type Crl } from "./crl";

/** Revocation data was required (SEAL_REVOCATION=required) and could not be had: no seal, nothing stored. */
export class RevocationError extends DomainError {
  constructor(readonly detail: string) {
    super(
      "revocation_unavailable",
      "The document could not be sealed because the revocation status of the organisation's sealing certificate could not be checked. Nothing was saved; try again in a few minutes.",
      503,
    );
  }
}

/** A CRL signed by its issuer lists the sealing certificate (or one above it): no seal is made with it. */
export class SealingCertificateRevokedError extends DomainError {
  constructor(readonly detail: string) {
    super(
      "sealing_certificate_revoked",
      "The document could not be sealed because the organisation's sealing certificate has been revoked. Nothing was saved; an administrator must install a new certificate.",
      503,
    );
  }
}

export type RevocationMode = "required" | "optional" | "off";

/** The CRLs to embed, DER, one per certificate of the chain that is not self-issued and had one. */
export type RevocationData = { crls: Buffer[] };

const TIMEOUT = MINUTE / 4;
// A CRL of a large public CA runs to a few MiB; past this it would bloat every sealed PDF.
export const MAX_CRL_BYTES = 2 * 1024 * 1024;
// Clocks differ: a CRL issued a little "in the future" by the CA's clock is still this one.
const CLOCK_SKEW = 5 * MINUTE;

/**
 * Fetches, at sealing time, a current CRL for every certificate of the chain
 * that is not self-issued (a root is a trust anchor: nothing revokes it),
 * from the certificate's own CRL distribution points, or for the sealing
 * certificate from `crlUrl` (SEAL_CRL_URL) when it carries none. Each CRL
 * must be signed by the issuer in the chain and current. A certificate it
 * lists as revoked stops the seal in every mode. Data that cannot be had
 * stops the seal when `mode` is "required" (RevocationError, as an
 * unreachable TSA does) and is left out, with a warning, when "optional".
 */
export async function collectRevocationData(
  chain: Buffer[],
  options: { mode: RevocationMode; crlUrl?: string; now: Date },
): Promise<RevocationData> {
  if (options.mode === "off") return { crls: [] };
  const certificates = chain.map((der) => ({ der, facts: certificateFacts(der) }));
  const crls: Buffer[] = [];
  for (const [index, { der, facts }] of certificates.entries()) {
    if (facts.selfIssued) continue;
    const name = subjectOf(der);
    const missing = (detail: string) => {
      if (options.mode === "required") throw logged(new RevocationError(detail));
      console.warn(`[clearance] seal without revocation data: ${detail}`);
    };
    const issuer = certificates.find((c) => c.facts.subject.equals(facts.issuer));
    if (!issuer) {
      missing(`the issuer of ${name} is not in SIGNING_P12_PATH, so its CRL cannot be checked`);
      continue;
    }
    const urls = facts.crlUrls.length > 0 ? facts.crlUrls : index === 0 && options.crlUrl ? [options.crlUrl] : [];
    if (urls.length === 0) {
      missing(`${name} carries no CRL distribution point${index === 0 ? " and SEAL_CRL_URL is not set" : ""}`);
      continue;
    }
    const failures: string[] = [];
    let crl: Crl | null = null;
    for (const url of urls) {
      const result = await fetchCrl(url, facts, new X509Certificate(issuer.der), options.now);
      if ("crl" in result) {
        crl = result.crl;
        break;
      }
      failures.push(result.failure);
    }
    if (!crl) {
      missing(`no current CRL for ${name}: ${failures.join("; ")}`);
      continue;
    }
    if (crlRevokes(crl, facts.serial))
      throw logged(new SealingCertificateRevokedError(`${name} is listed in its issuer's CRL`));
    if (!crls.some((known) => known.equals(crl.der))) crls.push(crl.der);
  }
  return { crls };
}

async function fetchCrl(
  url: string,
  certificate: CertificateFacts,
  issuer: X509Certificate,
  now: Date,
): Promise<{ crl: Crl } | { failure: string }> {
  const host = new URL(url).host;
  let body: Buffer;
  try {
    const response = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(TIMEOUT) });
    if (!response.ok) return { failure: `${host} answered HTTP ${response.status}` };
    if (Number(response.headers.get("content-length") ?? 0) > MAX_CRL_BYTES)
      return { failure: `${host} sent a CRL larger than ${MAX_CRL_BYTES} bytes` };
    body = Buffer.from(await response.arrayBuffer());
    if (body.length > MAX_CRL_BYTES) return { failure: `${host} sent a CRL larger than ${MAX_CRL_BYTES} bytes` };
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.name) : "";
    return { failure: `${host} could not be reached (${reason || "network error"})` };
  }
  const crl = parseCrl(fromPem(body));
  if (!crl) return { failure: `${host} did not send a DER or PEM CRL` };
  if (!crl.issuer.equals(certificate.issuer)) return { failure: `${host} sent a CRL of another issuer` };
  if (!crlSignedBy(crl, issuer.publicKey)) return { failure: `${host} sent a CRL its issuer did not sign` };
  if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW)
    return { failure: `${host} sent a CRL issued in the future` };
  if (crl.nextUpdate && crl.nextUpdate.getTime() < now.getTime())
    return { failure: `${host} sent a CRL past its next update (${crl.nextUpdate.toISOString()})` };
  return { crl };
}

/** Some CAs publish PEM: the DER inside it. */
function fromPem(body: Buffer): Buffer {
  const text = body.subarray(0, 64).toString("latin1");
  if (!text.startsWith("-----BEGIN X509 CRL-----")) return body;
  const base64 = body
    .toString("latin1")
    .replace(/-----(BEGIN|END) X509 CRL-----/g, "")
    .replace(/\s+/g, "");
  return Buffer.from(base64, "base64");
}

function subjectOf(der: Buffer): string {
  try {
    return `"${new X509Certificate(der).subject.replace(/\n/g, ", ")}"`;
  } catch {
    return "a certificate";
  }
}

/** The operator sees why (certificate and host: no personal data); the person sees the error's message. */
function logged<T extends RevocationError | SealingCertificateRevokedError>(error: T): T {
  console.error(`[clearance] revocation check failed: ${error.detail}`);
  return error;
}
