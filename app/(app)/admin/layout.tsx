import { AdminSubnav } from "@/components/admin-subnav";
import { requireRole } from "@/lib/auth/viewer";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const viewer = await requireRole("compliance_admin", "auditor");
  return (
    <>
      <AdminSubnav roles={viewer.roles} />
      {children}
    </>
  );
}
