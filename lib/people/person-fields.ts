import { z } from "zod";

import { appRoles, type AppRole } from "@/db/schema/people";
import { isCalendarDay } from "@/lib/time";

/**
 * A person's fields as every way of editing them reads them (the person form
 * and the CSV import): emails, dates and roles as people write them, and the
 * audit record of what an edit changed.
 */

const emailSchema = z.email();

export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}

export function isValidEmail(value: string): boolean {
  return value.length <= 320 && emailSchema.safeParse(value).success;
}

/** A calendar date written YYYY-MM-DD (and a real one: no 31 February). */
export function isValidIsoDate(value: string): boolean {
  return isCalendarDay(value, { from: 1900, to: 2100 });
}

const ROLE_ALIASES: Record<string, AppRole> = {
  compliance: "compliance_admin",
  admin: "compliance_admin",
  compliance_administrator: "compliance_admin",
};

/** Roles separated by ";" or "|", by id or label ("Compliance admin"); employee is always included. */
export function parseRoles(value: string): { roles: AppRole[]; unknown: string[] } {
  const unknown: string[] = [];
  const roles = new Set<AppRole>(["employee"]);
  for (const part of value.split(/[;|]/)) {
    const raw = part.trim();
    if (!raw) continue;
    const key = raw.toLowerCase().replace(/[\s-]+/g, "_");
    const role = (appRoles as readonly string[]).includes(key) ? (key as AppRole) : ROLE_ALIASES[key];
    if (role) roles.add(role);
    else unknown.push(raw);
  }
  return { roles: [...roles].sort(), unknown };
}

export const ROLE_LABELS: Record<AppRole, string> = {
  employee: "Employee",
  manager: "Manager",
  compliance_admin: "Compliance admin",
  auditor: "Auditor",
};

/** A person as the audit log describes them: ids and emails, never secrets. */
export type PersonSnapshot = {
  email: string;
  name: string;
  departmentId: string | null;
  title: string | null;
  managerEmail: string | null;
  hireDate: string | null;
  roles: string[];
};

/** The fields that differ, each with its value before and after: the data of a `person.updated` event. */
export function auditChanges(
  before: PersonSnapshot,
  after: PersonSnapshot,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  const fields: [string, keyof PersonSnapshot][] = [
    ["email", "email"],
    ["name", "name"],
    ["department", "departmentId"],
    ["title", "title"],
    ["manager_email", "managerEmail"],
    ["hire_date", "hireDate"],
  ];
  for (const [label, key] of fields) if (before[key] !== after[key]) out[label] = { from: before[key], to: after[key] };
  const rolesBefore = [...before.roles].sort();
  const rolesAfter = [...after.roles].sort();
  if (rolesBefore.join() !== rolesAfter.join()) out.roles = { from: rolesBefore, to: rolesAfter };
  return out;
}
