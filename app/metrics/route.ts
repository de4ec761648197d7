import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { metricsAnswer } from "@/lib/metrics-answer";

export const dynamic = "force-dynamic";

/**
 * Prometheus metrics for this process (lib/metrics.ts), for a scraper that
 * sends `Authorization: Bearer $METRICS_TOKEN`. Off (404) unless
 * METRICS_TOKEN is set.
 */
async function handleGet(request: Request) {
  const answer = await metricsAnswer(request.headers.get("authorization"));
  if (answer.status !== 200)
    return apiError(
      answer.status,
      answer.code,
      answer.message,
      answer.status === 401 ? { "WWW-Authenticate": 'Bearer realm="metrics"' } : undefined,
    );
  return new Response(answer.body, { headers: { "Content-Type": answer.contentType, "Cache-Control": "no-store" } });
}

export const GET = observed("/metrics", handleGet);
