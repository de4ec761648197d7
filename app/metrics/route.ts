import { timingSafeEqual } from "node:crypto";

import { sha256Hex } from "@/lib/crypto/hash";
import { env } from "@/lib/env";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { metrics } from "@/lib/metrics";

export const dynamic = "force-dynamic";

/** Whether `authorization` is `Bearer <token>`, compared in constant time (as digests, so not even the length shows). */
function bearerMatches(authorization: string | null, token: string): boolean {
  const given = (authorization ?? "").match(/^Bearer\s+(\S+)$/i)?.[1] ?? "";
  return timingSafeEqual(Buffer.from(sha256Hex(given)), Buffer.from(sha256Hex(token)));
}

/**
 * Prometheus metrics for this process (lib/metrics.ts), for a scraper that
 * sends `Authorization: Bearer $METRICS_TOKEN`. Off (404) unless
 * METRICS_TOKEN is set.
 */
async function handleGet(request: Request) {
  const token = env().METRICS_TOKEN;
  if (!token) return apiError(404, "not_found", "Metrics are off: set METRICS_TOKEN to enable /metrics.");
  if (!bearerMatches(request.headers.get("authorization"), token))
    return apiError(401, "unauthenticated", "Send the metrics token as 'Authorization: Bearer <token>'.", {
      "WWW-Authenticate": 'Bearer realm="metrics"',
    });
  const { registry } = metrics();
  return new Response(await registry.metrics(), {
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}

export const GET = observed("/metrics", handleGet);
