import type { AudienceRule } from "./schemas";

export type AudienceMember = { departmentId: string | null; roles: readonly string[]; accessRoles?: readonly string[] };

/** Whether a course's assignTo (or an agreement's signers) rule covers a person. */
export function inAudience(rule: AudienceRule, person: AudienceMember): boolean {
  if (rule.everyone) return true;
  if (rule.departments?.some((d) => d === person.departmentId)) return true;
  if (rule.appRoles?.some((r) => person.roles.includes(r))) return true;
  if (rule.accessRoles?.some((r) => person.accessRoles?.includes(r))) return true;
  return false;
}
