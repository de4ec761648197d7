import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { isoDate } from "@/lib/format";
import { observed } from "@/lib/http/observe";
import { exportMyDataJson, exportMyDataZip } from "@/lib/privacy/export";

export const dynamic = "force-dynamic";

/** The signed-in person's own data: ?format=json (default) or ?format=zip with their PDFs. */
async function handleGet(request: Request) {
  const auth = await routeViewer("download:/account/data/export", { signedOut: "Sign in to download your data." });
  if (!auth.ok) return auth.response;
  const { viewer } = auth;
  const format = new URL(request.url).searchParams.get("format") === "zip" ? "zip" : "json";
  const context = await auditContext(viewer);
  const stamp = isoDate(new Date());
  const headers = { "Cache-Control": "private, no-store" };
  if (format === "zip") {
    const body = await exportMyDataZip(viewer, context);
    return new Response(new Uint8Array(body), {
      headers: {
        ...headers,
        "Content-Type": "application/zip",
        "Content-Disposition": `attachment; filename="my-clearance-data-${stamp}.zip"`,
      },
    });
  }
  const body = await exportMyDataJson(viewer, context);
  return new Response(body, {
    headers: {
      ...headers,
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="my-clearance-data-${stamp}.json"`,
    },
  });
}

export const GET = observed("/account/data/export", handleGet);
