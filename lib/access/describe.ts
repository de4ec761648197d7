import { getAgreementTemplate, getCourse } from "@/lib/content";
import { formatLongDate } from "@/lib/format";

import type { DenyReason } from "./decide.rules";

export type Requirement = { reason: DenyReason; text: string; href: string | null };

type Who = "you" | "them";
type ReasonCode = DenyReason extends infer R ? (R extends `${infer Code}:${string}` ? Code : R) : never;

/**
 * Every deny reason's wording, in one table. `ask` says what the reason asks of the person, to them ("you")
 * or about them to an approver ("them"); `fact` states it in neutral words, right for the person, their
 * approver and an auditor alike. `title` is the course or agreement title in quotes.
 */
const WORDING: Record<
  ReasonCode,
  {
    about?: "course" | "agreement";
    ask: (who: Who, title: string) => string;
    fact: (title: string, expiredOn: Date | null) => string;
  }
> = {
  account_inactive: {
    ask: (who) => `${who === "you" ? "Your" : "Their"} account is not active`,
    fact: () => "Account not active",
  },
  no_grant: { ask: () => "No approved grant for this role", fact: () => "No approved grant for the role" },
  grant_revoked: { ask: () => "The grant was revoked", fact: () => "Grant revoked" },
  grant_ended: { ask: () => "The grant has ended", fact: () => "Grant ended" },
  course_missing: {
    about: "course",
    ask: (_, title) => `Complete the course ${title}`,
    fact: (title) => `No certification in ${title}`,
  },
  course_expired: {
    about: "course",
    ask: (who, title) => `Renew ${who === "you" ? "your" : "their"} certification in ${title} (expired)`,
    fact: (title, expiredOn) =>
      `Certification in ${title} expired${expiredOn ? ` on ${formatLongDate(expiredOn)}` : ""}`,
  },
  course_superseded: {
    about: "course",
    ask: (_, title) => `Take the new version of ${title}`,
    fact: (title) => `Certification in ${title} superseded by a new course version`,
  },
  agreement_missing: {
    about: "agreement",
    ask: (_, title) => `Sign the ${title}`,
    fact: (title) => `${title} not signed`,
  },
  agreement_outdated: {
    about: "agreement",
    ask: (_, title) => `Sign the current version of the ${title}`,
    fact: (title) => `${title} not signed at its current version, or its renewal is due`,
  },
};

/** The reason's wording, the quoted title of what it is about, and the page that fixes it. */
function parse(reason: string) {
  const [code, id = ""] = reason.split(":") as [string, string | undefined];
  if (!Object.hasOwn(WORDING, code)) return null;
  const wording = WORDING[code as ReasonCode];
  if (wording.about === "course") return { wording, title: `“${getCourse(id)?.title ?? id}”`, href: `/courses/${id}` };
  if (wording.about === "agreement")
    return { wording, title: `“${getAgreementTemplate(id)?.title ?? id}”`, href: `/agreements/${id}` };
  return { wording, title: "", href: null };
}

/** A deny reason in plain words, with the page that fixes it: to the person themselves, or about them (to an approver). */
export function describeReason(reason: DenyReason, about: Who = "you"): Requirement {
  const parsed = parse(reason);
  if (!parsed) return { reason, text: reason, href: null };
  return { reason, text: parsed.wording.ask(about, parsed.title), href: parsed.href };
}

/** A deny reason in neutral words, right for the person, their approver and an auditor alike. */
export function reasonInWords(reason: string, options: { expiredOn?: Date | null } = {}): string {
  const parsed = parse(reason);
  return parsed ? parsed.wording.fact(parsed.title, options.expiredOn ?? null) : reason;
}
