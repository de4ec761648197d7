import { getDb } from "@/db/client";
import { eventsBody } from "@/lib/access/api-schemas";
import { recordDataEvents } from "@/lib/access/data-events";
import { API_BODY_MAX_BYTES, parseOrReply, readJsonBody, toResponse, withApiClient } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";

export const dynamic = "force-dynamic";

/**
 * Data-operation events from other systems: one event, or `{ events: [...] }`
 * with up to 1,000. Each is stored with whether the person was cleared for it.
 */
async function handlePost(request: Request) {
  return withApiClient(request, "events:write", async (client) => {
    const body = await readJsonBody(request, API_BODY_MAX_BYTES);
    if (!body.ok) return toResponse(body.reply);
    const parsed = parseOrReply(eventsBody, body.value);
    if (!parsed.ok) return toResponse(parsed.reply);
    const events = "events" in parsed.data ? parsed.data.events : [parsed.data];
    const results = await recordDataEvents(await getDb(), client.id, events);
    const accepted = results.filter((r) => !r.error).length;
    const status =
      accepted === 0 && results.every((r) => r.error?.code === "unknown_user" || r.error?.code === "unknown_role")
        ? 404
        : accepted < results.length
          ? 207
          : 201;
    if (status === 404 && results.length === 1) return Response.json({ error: results[0].error }, { status: 404 });
    return Response.json({ accepted, results }, { status });
  });
}

export const POST = observed("/api/v1/events", handlePost);
