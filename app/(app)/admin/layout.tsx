import { AdminSubnav } from "@/components/admin-subnav";
import { requireViewer } from "@/lib/auth/gate";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const viewer = await requireViewer("layout:/(app)/admin");
  return (
    <>
      <AdminSubnav viewer={viewer} />
      {children}
    </>
  );
}
