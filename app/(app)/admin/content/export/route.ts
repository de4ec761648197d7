import { getDb } from "@/db/client";
import { recordAudit } from "@/lib/audit/record";
import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { exportOwnContent } from "@/lib/content/transfer";
import { observed } from "@/lib/http/observe";

export const dynamic = "force-dynamic";

/** The organisation's own published courses and agreements as a ZIP laid out like content/, ready to commit or import. */
async function handleGet() {
  const auth = await routeViewer("download:/admin/content/export", {
    signedOut: "Sign in to export your content.",
    forbidden: "Only compliance admins and auditors can export content.",
  });
  if (!auth.ok) return auth.response;
  const db = await getDb();
  const now = new Date();
  const { zip, files } = await exportOwnContent(db, auth.viewer, now);
  await recordAudit(db, await auditContext(auth.viewer), { action: "content.exported", data: { files } }, now);
  return new Response(new Uint8Array(zip), {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="clearance-content-${now.toISOString().slice(0, 10)}.zip"`,
      "Cache-Control": "no-store",
    },
  });
}

export const GET = observed("/admin/content/export", handleGet);
