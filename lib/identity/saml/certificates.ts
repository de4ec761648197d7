import { X509Certificate } from "node:crypto";

import { formatDate } from "@/lib/format";
import { DAY } from "@/lib/time";

import { toPemCertificate } from "./settings";

/**
 * The IdP's signing certificates as an admin pastes them: one or more PEM
 * blocks, or one bare base64 body. Each becomes PEM; text that is not a
 * certificate is kept as is, so the settings schema names it.
 */
export function splitCertificates(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  const parts = blocks ?? (text.trim() ? [text.trim()] : []);
  return parts.map((part) => toPemCertificate(part) ?? part);
}

/** Warn this long before a signing certificate expires: the IdP's new one must be added in time. */
const RENEW_WITHIN_MS = 30 * DAY;

export type CertificateCheck = { ok: boolean; message: string };

/**
 * Whether the IdP's signing certificates can be trusted at `now`: at least
 * one is within its validity dates. Says which are expired, not yet valid or
 * expiring within 30 days, with their dates.
 */
export function checkCertificates(pems: readonly string[], now: Date): CertificateCheck {
  const notes: string[] = [];
  let usable = 0;
  pems.forEach((pem, index) => {
    const name = pems.length > 1 ? `Signing certificate ${index + 1}` : "The signing certificate";
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(pem);
    } catch {
      notes.push(`${name} cannot be read.`);
      return;
    }
    const from = new Date(certificate.validFrom);
    const to = new Date(certificate.validTo);
    if (to.getTime() <= now.getTime()) notes.push(`${name} expired on ${formatDate(to)}.`);
    else if (from.getTime() > now.getTime()) notes.push(`${name} is not valid until ${formatDate(from)}.`);
    else {
      usable += 1;
      notes.push(
        to.getTime() - now.getTime() < RENEW_WITHIN_MS
          ? `${name} expires on ${formatDate(to)}: add the identity provider's next certificate soon.`
          : `${name} is valid until ${formatDate(to)}.`,
      );
    }
  });
  if (usable === 0) notes.push("No signing certificate is valid now, so no sign-in can be accepted.");
  return { ok: usable > 0, message: notes.join(" ") };
}
