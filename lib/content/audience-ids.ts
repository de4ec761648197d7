/**
 * The values an audience rule (a course's assignTo, an agreement's signers) may
 * name. No server imports: the draft editor lists them in the browser.
 */

export { appRoles } from "@/db/schema/app-roles";

export const DEPARTMENT_IDS = ["support", "engineering", "sales", "finance", "people", "legal", "procurement"] as const;
export const ACCESS_ROLE_IDS = [
  "customer-pii-read",
  "customer-data-export",
  "support-remote-session",
  "payment-data-admin",
  "backup-restore-operator",
  "partner-data-exchange",
] as const;

/** How many people an audience may name one by one. */
export const MAX_NAMED_PEOPLE = 500;
