import { z } from "zod";

import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { DomainError } from "@/lib/errors";
import { readBodyBytes } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";
import { isSameOrigin } from "@/lib/http/same-origin";
import { uuidSchema } from "@/lib/ids";
import { commitSchema, commitSco, MAX_COMMIT_BYTES } from "@/lib/scorm/runs";

export const dynamic = "force-dynamic";

const query = z.object({
  sco: z.string().min(1).max(200),
  final: z.enum(["true"]).optional(),
});

/**
 * The run-time API's commit: scorm-again posts a SCO's run-time data here
 * (flattened JSON) on Commit, on Terminate (with `final=true`) and on its
 * autocommit. Answers as scorm-again expects — `result` and `errorCode`
 * (101, general exception, on any refusal) — with the run's status beside it,
 * and, on refusal, an error code and message.
 */
function refuse(status: number, code: string, message: string) {
  return Response.json(
    { result: false, errorCode: 101, error: { code, message } },
    { status, headers: { "Cache-Control": "no-store" } },
  );
}

async function handlePost(request: Request, { params }: { params: Promise<{ attemptId: string }> }) {
  const auth = await routeViewer("route:/api/scorm/runs/[attemptId]/commit", {
    signedOut: "Sign in again to keep your progress.",
  });
  if (!auth.ok) return auth.response;
  if (!isSameOrigin(request)) return refuse(403, "cross_origin", "Progress is kept only from the course player.");
  const attemptId = uuidSchema().safeParse((await params).attemptId);
  if (!attemptId.success) return refuse(404, "not_found", "That course run does not exist.");
  const q = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!q.success) return refuse(400, "invalid_query", "Say which SCO the data is for (sco=).");
  const body = await readBodyBytes(request, MAX_COMMIT_BYTES, {
    status: 413,
    body: {
      result: false,
      errorCode: 101,
      error: { code: "too_large", message: `At most ${MAX_COMMIT_BYTES / 1000} kB of run-time data per commit.` },
    },
  });
  if (!body.ok) return Response.json(body.reply.body, { status: body.reply.status });
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.bytes).toString("utf8"));
  } catch {
    return refuse(400, "invalid_json", "The run-time data is not JSON.");
  }
  const values = commitSchema.safeParse(json);
  if (!values.success)
    return refuse(400, "invalid_cmi", values.error.issues[0]?.message ?? "The run-time data cannot be read.");
  try {
    const result = await commitSco(auth.viewer, await auditContext(auth.viewer), {
      attemptId: attemptId.data,
      sco: q.data.sco,
      values: values.data,
      terminate: q.data.final === "true",
    });
    return Response.json({ result: true, errorCode: 0, ...result }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof DomainError) return refuse(error.status ?? 400, error.code, error.message);
    throw error;
  }
}

export const POST = observed("/api/scorm/runs/[attemptId]/commit", handlePost);
