import type { AppRole } from "@/db/schema";

export type NavItem = { href: string; label: string; roles?: AppRole[]; description?: string };

/** The main menu; an item without roles is for everyone signed in. */
export const NAV_ITEMS: NavItem[] = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/courses", label: "Courses" },
  { href: "/agreements", label: "Agreements" },
  { href: "/access", label: "Access" },
  { href: "/team", label: "Team", roles: ["manager"] },
  { href: "/admin", label: "Admin", roles: ["compliance_admin", "auditor"] },
  { href: "/account", label: "Account" },
];

/** Organisation-wide pages, shown on /admin and as a sub-menu there. */
export const ADMIN_ITEMS: NavItem[] = [
  { href: "/admin/overview", label: "Overview", roles: ["compliance_admin", "auditor"], description: "Completion, overdue work, expiring certifications and agreement coverage." },
  { href: "/admin/people", label: "People", roles: ["compliance_admin", "auditor"], description: "Create, import, suspend and mark people departed; roles and MFA status." },
  { href: "/admin/assignments", label: "Assign", roles: ["compliance_admin"], description: "Assign a course to someone by hand, with a due date." },
  { href: "/access/approvals", label: "Approvals", roles: ["compliance_admin"], description: "Decide data-access requests and revoke grants." },
  { href: "/admin/partners", label: "Partners", roles: ["compliance_admin", "auditor"], description: "Third parties and their data-protection agreements." },
  { href: "/admin/corrections", label: "Corrections", roles: ["compliance_admin"], description: "People's requests to correct their records." },
  { href: "/admin/outbox", label: "Outbox", roles: ["compliance_admin"], description: "Every email Clearance sends, and its delivery status." },
  { href: "/admin/api", label: "API", roles: ["compliance_admin"], description: "API clients for other systems, and the API reference." },
  { href: "/admin/webhooks", label: "Webhooks", roles: ["compliance_admin"], description: "Signed notifications to other systems, with a delivery log." },
  { href: "/audit", label: "Audit log", roles: ["compliance_admin", "auditor"], description: "The hash-chained record of every action, with an integrity check." },
  { href: "/audit/data-events", label: "Data events", roles: ["compliance_admin", "auditor"], description: "Data operations reported by other systems, flagged when not cleared." },
];

export function navFor(roles: AppRole[], items: NavItem[] = NAV_ITEMS): NavItem[] {
  return items.filter((item) => !item.roles || item.roles.some((r) => roles.includes(r)));
}
