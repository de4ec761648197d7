import { getDb } from "@/db/client";
import { batchCheckBody, checkQuery } from "@/lib/access/api-schemas";
import { checkAccess, decisionJson } from "@/lib/access/check";
import { parseOr400, readJson, withApiClient } from "@/lib/http/api";
import { apiError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/** May this person hold this role right now? */
export async function GET(request: Request) {
  return withApiClient(request, "access:check", async (client) => {
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const parsed = parseOr400(checkQuery, params);
    if (!parsed.ok) return parsed.response;
    const [result] = await checkAccess(await getDb(), client.id, [parsed.data]);
    if (result.error) return apiError(404, result.error.code, result.error.message);
    return Response.json(decisionJson(result.decision!), { headers: { "Cache-Control": "no-store" } });
  });
}

/** Up to 1,000 (user, role) pairs in one call; results come back in the same order. */
export async function POST(request: Request) {
  return withApiClient(request, "access:check", async (client) => {
    const body = await readJson(request, 256 * 1024);
    if (!body.ok) return body.response;
    const parsed = parseOr400(batchCheckBody, body.value);
    if (!parsed.ok) return parsed.response;
    const results = await checkAccess(await getDb(), client.id, parsed.data.checks);
    return Response.json(
      {
        results: results.map((r) =>
          r.error ? { user: r.user, role: r.role, allow: false, reasons: [], valid_until: null, error: r.error } : { user: r.user, role: r.role, ...decisionJson(r.decision!) },
        ),
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  });
}
