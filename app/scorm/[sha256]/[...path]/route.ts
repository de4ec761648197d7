import { getDb } from "@/db/client";
import { routeViewer } from "@/lib/auth/gate";
import { observed } from "@/lib/http/observe";
import { safeEntryPath } from "@/lib/scorm/package";
import { PACKAGE_HEADERS } from "@/lib/scorm/serve-policy";
import { packageFile } from "@/lib/scorm/store";

export const dynamic = "force-dynamic";

/**
 * A file of an uploaded SCORM package, for the course player's frame: to
 * people signed in, under the package policy (lib/scorm/serve-policy.ts). A
 * package never changes, so a browser may keep its files.
 */
async function handleGet(_request: Request, { params }: { params: Promise<{ sha256: string; path: string[] }> }) {
  const auth = await routeViewer("download:/scorm/[sha256]/[...path]", { signedOut: "Sign in to play the course." });
  if (!auth.ok) return auth.response;
  const { sha256, path } = await params;
  // The segments arrive decoded (a file "a b.html" is asked for as a%20b.html).
  const rel = path.join("/");
  if (!/^[0-9a-f]{64}$/.test(sha256) || !safeEntryPath(rel))
    return new Response("Not found.", { status: 404, headers: PACKAGE_HEADERS });
  const file = await packageFile(await getDb(), sha256, rel);
  if (!file) return new Response("Not found.", { status: 404, headers: PACKAGE_HEADERS });
  return new Response(new Uint8Array(file.bytes), {
    headers: {
      ...PACKAGE_HEADERS,
      "Content-Type": file.contentType,
      "Cache-Control": "private, max-age=86400, immutable",
    },
  });
}

export const GET = observed("/scorm/[sha256]/[...path]", handleGet);
