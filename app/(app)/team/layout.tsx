import { requireViewer } from "@/lib/auth/gate";

/** The role check sits here, outside the page's loading boundary, so a refusal is a real 403 rather than a streamed one. */
export default async function TeamLayout({ children }: { children: React.ReactNode }) {
  await requireViewer("layout:/(app)/team");
  return children;
}
