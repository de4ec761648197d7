import type { AppRole } from "@/db/schema";
import { ADMIN_ITEMS, navFor } from "./app-nav";
import { NavLinks } from "./nav-links";

export function AdminSubnav({ roles }: { roles: AppRole[] }) {
  return (
    <nav aria-label="Administration" className="mb-6 overflow-x-auto border-b border-slate-200 pb-2">
      <NavLinks items={navFor(roles, ADMIN_ITEMS)} />
    </nav>
  );
}
