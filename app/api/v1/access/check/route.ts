import { answerBatchCheck, answerCheck, BATCH_BODY_MAX_BYTES } from "@/lib/access/listener/check-endpoint";
import { readJsonBody, toResponse } from "@/lib/http/api";

export const dynamic = "force-dynamic";

/** May this person hold this role right now? */
export async function GET(request: Request) {
  return toResponse(
    await answerCheck(request.headers.get("authorization"), Object.fromEntries(new URL(request.url).searchParams)),
  );
}

/** Up to 1,000 (user, role) pairs in one call; results come back in the same order. */
export async function POST(request: Request) {
  return toResponse(
    await answerBatchCheck(request.headers.get("authorization"), () => readJsonBody(request, BATCH_BODY_MAX_BYTES)),
  );
}
