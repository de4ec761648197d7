import { getDb } from "@/db/client";
import { accessChangeStream, latestChangeId } from "@/lib/access/changes";
import { apiErrorReply, authenticateApiClient, toResponse } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";

export const dynamic = "force-dynamic";

/** Open streams per API client on this instance: each polls the database, so a token cannot open them without end. */
const MAX_STREAMS_PER_CLIENT = 4;
const state = globalThis as unknown as { __clearanceChangeStreams?: Map<string, number> };
const open = (state.__clearanceChangeStreams ??= new Map());

/**
 * Grant changes and access revisions as Server-Sent Events (see
 * lib/access/changes.ts). Resumes after `Last-Event-ID` (or `?after=<id>`);
 * without either, starts from now.
 */
async function handleGet(request: Request) {
  const auth = await authenticateApiClient(request.headers.get("authorization"), "access:read");
  if (!auth.ok) return toResponse(auth.reply);
  const resumeFrom = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("after");
  if (resumeFrom !== null && !/^\d{1,15}$/.test(resumeFrom.trim()))
    return toResponse(
      apiErrorReply(400, "invalid_request", "Last-Event-ID (or after) must be an event id from this stream."),
    );
  const clientId = auth.client.id;
  if ((open.get(clientId) ?? 0) >= MAX_STREAMS_PER_CLIENT)
    return toResponse(
      apiErrorReply(
        429,
        "too_many_streams",
        `At most ${MAX_STREAMS_PER_CLIENT} change streams may be open at once for one API client.`,
        { "Retry-After": "5" },
      ),
    );
  // Counted before the first await, so streams opened at once cannot all pass the check.
  open.set(clientId, (open.get(clientId) ?? 0) + 1);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const left = (open.get(clientId) ?? 1) - 1;
    if (left > 0) open.set(clientId, left);
    else open.delete(clientId);
  };
  let db, after: number;
  try {
    db = await getDb();
    after = resumeFrom !== null ? Number(resumeFrom.trim()) : await latestChangeId(db);
  } catch (error) {
    release();
    throw error;
  }
  const events = accessChangeStream(db, { after, signal: request.signal });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await events.next();
        if (!next.done) return controller.enqueue(encoder.encode(next.value));
        release();
        controller.close();
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    async cancel() {
      release();
      await events.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    },
  });
}

export const GET = observed("/api/v1/access/changes", handleGet);
