import type { AudienceRule } from "./schemas";

export type AudienceMember = {
  departmentId: string | null;
  roles: readonly string[];
  /** Data-access roles held now: needed only where a rule names access roles. */
  accessRoles?: readonly string[];
  /** The person's e-mail address: needed only where a rule names people. */
  email?: string;
};

/** The day (UTC) a moment falls on, as the rule's dates are written. */
const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/** Whether the rule's dates include `at`: from its first day to the end of its last, in UTC. */
export function audienceInForce(rule: Pick<AudienceRule, "from" | "until">, at: Date): boolean {
  const day = dayOf(at);
  return (!rule.from || rule.from <= day) && (!rule.until || day <= rule.until);
}

/** Whether the rule names people or access roles, which only a person's own record answers. */
export function namesIndividuals(rule: AudienceRule): boolean {
  return !rule.everyone && Boolean(rule.people?.length || rule.accessRoles?.length);
}

/** Whether a course's assignTo (or an agreement's signers) rule covers a person at `at`. */
export function inAudience(rule: AudienceRule, person: AudienceMember, at: Date = new Date()): boolean {
  if (!audienceInForce(rule, at)) return false;
  if (rule.everyone) return true;
  if (rule.departments?.some((d) => d === person.departmentId)) return true;
  if (rule.appRoles?.some((r) => person.roles.includes(r))) return true;
  if (rule.accessRoles?.some((r) => person.accessRoles?.includes(r))) return true;
  if (person.email && rule.people?.includes(person.email.toLowerCase())) return true;
  return false;
}
