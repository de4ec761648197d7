import { majorOf } from "@/lib/certification/status.rules";
import { escapeMarkdownText } from "@/lib/content/markdown-escape";
import { isoDate } from "@/lib/format";
import { addMonths, DAY } from "@/lib/time";

/** Agreement rules: pure functions of the template, the person's signatures and `now`. */

export type AgreementStanding = "to_sign" | "new_version" | "renewal_due" | "expiring" | "signed";

export type SignatureFacts = {
  agreementVersion: string;
  signedAt: Date;
  renewalDueAt: Date | null;
  outcome: "signed" | "declined";
};

export const RENEWAL_WARNING_DAYS = 30;

export function renewalDueFor(signedAt: Date, renewalMonths: number): Date | null {
  return renewalMonths > 0 ? addMonths(signedAt, renewalMonths) : null;
}

/**
 * Where a person stands with one agreement. Only signatures count (a decline is
 * recorded but signs nothing); the newest signature decides.
 */
export function agreementStanding(
  template: { version: string },
  signatures: SignatureFacts[],
  now: Date,
): { standing: AgreementStanding; signature: SignatureFacts | null } {
  const signed = signatures
    .filter((s) => s.outcome === "signed")
    .sort((a, b) => b.signedAt.getTime() - a.signedAt.getTime());
  const latest = signed[0] ?? null;
  if (!latest) return { standing: "to_sign", signature: null };
  if (majorOf(latest.agreementVersion) < majorOf(template.version))
    return { standing: "new_version", signature: latest };
  if (latest.renewalDueAt && now.getTime() >= latest.renewalDueAt.getTime())
    return { standing: "renewal_due", signature: latest };
  if (latest.renewalDueAt && now.getTime() >= latest.renewalDueAt.getTime() - RENEWAL_WARNING_DAYS * DAY)
    return { standing: "expiring", signature: latest };
  return { standing: "signed", signature: latest };
}

export type Placeholders = {
  personName: string;
  personEmail: string;
  organisation: string;
  /** The law and courts that govern the organisation's agreements (ORG_JURISDICTION). */
  jurisdiction: string;
  partnerName?: string;
  date: Date;
};

/**
 * Fills the placeholders content/README.md allows; anything else was refused by
 * content:check. Values are escaped: a name is text, never Markdown or HTML.
 */
export function fillPlaceholders(text: string, values: Placeholders): string {
  const map: Record<string, string> = {
    "person.name": escapeMarkdownText(values.personName),
    "person.email": escapeMarkdownText(values.personEmail),
    "organisation.name": escapeMarkdownText(values.organisation),
    "organisation.jurisdiction": escapeMarkdownText(values.jurisdiction),
    "partner.name": escapeMarkdownText(values.partnerName ?? ""),
    date: isoDate(values.date),
  };
  return text.replace(/\{\{\s*([a-z.]+)\s*\}\}/g, (whole, key: string) => map[key] ?? whole);
}

/** Names match when they are the same letters, ignoring case, accents' encoding form and extra spaces. */
export function namesMatch(typed: string, expected: string): boolean {
  const norm = (s: string) => s.normalize("NFC").trim().replace(/\s+/g, " ").toLocaleLowerCase();
  return norm(typed).length > 0 && norm(typed) === norm(expected);
}
