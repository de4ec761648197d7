import { AdminSubnav } from "@/components/admin-subnav";
import { requireViewer } from "@/lib/auth/gate";

export default async function AuditLayout({ children }: { children: React.ReactNode }) {
  const viewer = await requireViewer("layout:/(app)/audit");
  return (
    <>
      <AdminSubnav viewer={viewer} />
      {children}
    </>
  );
}
