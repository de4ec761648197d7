import type { AppRole } from "@/db/schema";

export type NavItem = { href: string; label: string; roles?: AppRole[] };

/** The menu; an item without roles is for everyone signed in. */
export const NAV_ITEMS: NavItem[] = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/courses", label: "Courses" },
  { href: "/team", label: "Team", roles: ["manager"] },
  { href: "/agreements", label: "Agreements" },
  { href: "/access", label: "Access" },
  { href: "/admin/people", label: "People", roles: ["compliance_admin", "auditor"] },
  { href: "/admin/assignments", label: "Assign", roles: ["compliance_admin"] },
  { href: "/admin/partners", label: "Partners", roles: ["compliance_admin", "auditor"] },
  { href: "/admin/outbox", label: "Outbox", roles: ["compliance_admin"] },
  { href: "/audit", label: "Audit log", roles: ["compliance_admin", "auditor"] },
  { href: "/account", label: "Account" },
];

export function navFor(roles: AppRole[]): NavItem[] {
  return NAV_ITEMS.filter((item) => !item.roles || item.roles.some((r) => roles.includes(r)));
}
