import { getDb } from "@/db/client";
import { checkpointsQuery } from "@/lib/audit/checkpoint-api";
import { checkpointsAfter } from "@/lib/audit/checkpoints";
import { parseOrReply, toResponse, withApiClient } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";

export const dynamic = "force-dynamic";

/** Signed audit checkpoints, oldest first, for a system that keeps a copy of each outside Clearance. */
async function handleGet(request: Request) {
  return withApiClient(request, "audit:read", async () => {
    const parsed = parseOrReply(checkpointsQuery, Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.ok) return toResponse(parsed.reply);
    const rows = await checkpointsAfter(await getDb(), parsed.data.after, parsed.data.limit);
    const checkpoints = rows.map((r) => ({
      id: r.id,
      created_at: r.createdAt.toISOString(),
      trigger: r.trigger,
      head_id: r.headId,
      head_hash: r.headHash,
      event_count: r.eventCount,
      file: JSON.parse(r.document) as unknown,
    }));
    const nextAfter = rows.length === parsed.data.limit ? rows[rows.length - 1].id : null;
    return Response.json({ checkpoints, next_after: nextAfter }, { headers: { "Cache-Control": "no-store" } });
  });
}

export const GET = observed("/api/v1/audit/checkpoints", handleGet);
