import { answerBatchCheck, answerCheck, BATCH_BODY_MAX_BYTES } from "@/lib/access/listener/check-endpoint";
import { readJsonBody, toResponse } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";

export const dynamic = "force-dynamic";

/** May this person hold this role right now? */
async function handleGet(request: Request) {
  return toResponse(
    await answerCheck(request.headers.get("authorization"), Object.fromEntries(new URL(request.url).searchParams)),
  );
}

/** Up to 1,000 (user, role) pairs in one call; results come back in the same order. */
async function handlePost(request: Request) {
  return toResponse(
    await answerBatchCheck(request.headers.get("authorization"), () => readJsonBody(request, BATCH_BODY_MAX_BYTES)),
  );
}

export const GET = observed("/api/v1/access/check", handleGet);
export const POST = observed("/api/v1/access/check", handlePost);
