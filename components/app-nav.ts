import { gate, type GatePerson, type PageKey } from "@/lib/auth/permissions";

/** A link to a page; it is shown to the people the page's permission lets in. */
export type NavItem = { href: string; label: string; permission: PageKey; description?: string };

/** The main menu. */
export const NAV_ITEMS: NavItem[] = [
  { href: "/dashboard", label: "Dashboard", permission: "page:/dashboard" },
  { href: "/courses", label: "Courses", permission: "page:/courses" },
  { href: "/agreements", label: "Agreements", permission: "page:/agreements" },
  { href: "/access", label: "Access", permission: "page:/access" },
  { href: "/team", label: "Team", permission: "page:/team" },
  { href: "/admin", label: "Admin", permission: "page:/admin" },
  { href: "/account", label: "Account", permission: "page:/account" },
];

/** Organisation-wide pages, shown on /admin and as a sub-menu there. */
export const ADMIN_ITEMS: NavItem[] = [
  {
    href: "/admin/overview",
    label: "Overview",
    permission: "page:/admin/overview",
    description: "Completion, overdue work, expiring certifications and agreement coverage.",
  },
  {
    href: "/admin/people",
    label: "People",
    permission: "page:/admin/people",
    description: "Create, import, suspend and mark people departed; roles and MFA status.",
  },
  {
    href: "/admin/assignments",
    label: "Assign",
    permission: "page:/admin/assignments",
    description: "Assign a course to someone by hand, with a due date.",
  },
  {
    href: "/access/approvals",
    label: "Approvals",
    permission: "page:/access/approvals",
    description: "Decide data-access requests and revoke grants.",
  },
  {
    href: "/admin/content",
    label: "Content",
    permission: "page:/admin/content",
    description: "Your own courses, policies and agreements: edit, review, publish and compare versions.",
  },
  {
    href: "/admin/partners",
    label: "Partners",
    permission: "page:/admin/partners",
    description: "Third parties and their data-protection agreements.",
  },
  {
    href: "/admin/corrections",
    label: "Corrections",
    permission: "page:/admin/corrections",
    description: "People's requests to correct their records.",
  },
  {
    href: "/admin/outbox",
    label: "Outbox",
    permission: "page:/admin/outbox",
    description: "Every email Clearance sends, and its delivery status.",
  },
  {
    href: "/admin/api",
    label: "API",
    permission: "page:/admin/api",
    description: "API clients for other systems, and the API reference.",
  },
  {
    href: "/admin/webhooks",
    label: "Webhooks",
    permission: "page:/admin/webhooks",
    description: "Signed notifications to other systems, with a delivery log, and the learning record store (xAPI).",
  },
  {
    href: "/admin/identity",
    label: "Sign-in",
    permission: "page:/admin/identity",
    description: "Single sign-on through the organisation's identity providers, and the SSO-only policy.",
  },
  {
    href: "/audit",
    label: "Audit log",
    permission: "page:/audit",
    description: "The hash-chained record of every action, with an integrity check.",
  },
  {
    href: "/audit/exceptions",
    label: "Exceptions",
    permission: "page:/audit/exceptions",
    description: "What auditors sample for: access before training, uncleared operations, overdue work.",
  },
  {
    href: "/audit/evidence",
    label: "Evidence packs",
    permission: "page:/audit/evidence",
    description: "A signed ZIP of a period's training, agreements, access and exceptions, for an auditor.",
  },
  {
    href: "/audit/data-events",
    label: "Data events",
    permission: "page:/audit/data-events",
    description: "Data operations reported by other systems, flagged when not cleared.",
  },
];

/** The items this person may open: none while they still have to enrol in MFA. */
export function navFor(viewer: GatePerson, items: NavItem[] = NAV_ITEMS): NavItem[] {
  return items.filter((item) => gate(viewer, item.permission).ok);
}
