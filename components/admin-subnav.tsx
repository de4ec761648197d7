import type { GatePerson } from "@/lib/auth/permissions";

import { ADMIN_ITEMS, navFor } from "./app-nav";
import { NavLinks } from "./nav-links";

export function AdminSubnav({ viewer }: { viewer: GatePerson }) {
  return (
    <nav aria-label="Administration" className="mb-6 overflow-x-auto border-b border-slate-200 pb-2">
      <NavLinks items={navFor(viewer, ADMIN_ITEMS)} />
    </nav>
  );
}
