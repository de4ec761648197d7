import { getAgreementTemplate, getCourse } from "@/lib/content";

import type { DenyReason } from "./decide.rules";

export type Requirement = { reason: DenyReason; text: string; href: string | null };

/** A deny reason in plain words, with the page that fixes it: to the person themselves, or about them (to an approver). */
export function describeReason(reason: DenyReason, about: "you" | "them" = "you"): Requirement {
  const your = about === "you" ? "your" : "their";
  const [code, id] = reason.split(":") as [string, string | undefined];
  const course = id ? getCourse(id) : null;
  const agreement = id ? getAgreementTemplate(id) : null;
  switch (code) {
    case "account_inactive":
      return { reason, text: `${about === "you" ? "Your" : "Their"} account is not active`, href: null };
    case "no_grant":
      return { reason, text: "No approved grant for this role", href: null };
    case "grant_revoked":
      return { reason, text: "The grant was revoked", href: null };
    case "grant_ended":
      return { reason, text: "The grant has ended", href: null };
    case "course_missing":
      return { reason, text: `Complete the course “${course?.title ?? id}”`, href: `/courses/${id}` };
    case "course_expired":
      return {
        reason,
        text: `Renew ${your} certification in “${course?.title ?? id}” (expired)`,
        href: `/courses/${id}`,
      };
    case "course_superseded":
      return { reason, text: `Take the new version of “${course?.title ?? id}”`, href: `/courses/${id}` };
    case "agreement_missing":
      return { reason, text: `Sign the “${agreement?.title ?? id}”`, href: `/agreements/${id}` };
    case "agreement_outdated":
      return { reason, text: `Sign the current version of the “${agreement?.title ?? id}”`, href: `/agreements/${id}` };
    default:
      return { reason, text: reason, href: null };
  }
}
