import { employeeConsentCheck, giveConsent } from "@/lib/agreements/employee-agreements";
import { partnerConsent, partnerConsentCheck } from "@/lib/agreements/partner-signing";
import type { AuditContext } from "@/lib/audit/record";
import type { Viewer } from "@/lib/auth/roles";

import { codeFromConsentPdf } from "./consent-code";

/** Gives e-sign consent the way a person does: opens the consent-check PDF and types back its code. */
export async function consentToSign(
  viewer: Viewer,
  context: AuditContext & { ip: string },
  agreementId: string,
  ceremonyId: string,
  now?: Date,
) {
  const pdf = await employeeConsentCheck(viewer, ceremonyId);
  await giveConsent(viewer, context, agreementId, ceremonyId, codeFromConsentPdf(pdf.bytes), now);
}

/** The partner's consent, through the consent-check PDF of the browser that confirmed the emailed code. */
export async function partnerConsentToSign(
  token: string,
  browserKey: string | null | undefined,
  context: AuditContext & { ip: string },
  now?: Date,
) {
  const pdf = await partnerConsentCheck(token, browserKey, now);
  await partnerConsent(token, browserKey, codeFromConsentPdf(pdf.bytes), context, now);
}
