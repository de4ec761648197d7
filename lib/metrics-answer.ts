import "server-only";

import { timingSafeEqual } from "node:crypto";

import { sha256Hex } from "@/lib/crypto/hash";
import { env } from "@/lib/env";
import { metrics } from "@/lib/metrics";

/** Whether `authorization` is `Bearer <token>`, compared in constant time (as digests, so not even the length shows). */
function bearerMatches(authorization: string | null, token: string): boolean {
  const given = (authorization ?? "").match(/^Bearer\s+(\S+)$/i)?.[1] ?? "";
  return timingSafeEqual(Buffer.from(sha256Hex(given)), Buffer.from(sha256Hex(token)));
}

export type MetricsAnswer =
  { status: 200; contentType: string; body: string } | { status: 401 | 404; code: string; message: string };

/**
 * What a scrape of this process's metrics gets, for the app's `/metrics` route
 * and a worker's metrics port alike: 404 while METRICS_TOKEN is unset, 401
 * without the token, else the Prometheus text.
 */
export async function metricsAnswer(authorization: string | null): Promise<MetricsAnswer> {
  const token = env().METRICS_TOKEN;
  if (!token)
    return { status: 404, code: "not_found", message: "Metrics are off: set METRICS_TOKEN to enable /metrics." };
  if (!bearerMatches(authorization, token))
    return {
      status: 401,
      code: "unauthenticated",
      message: "Send the metrics token as 'Authorization: Bearer <token>'.",
    };
  const { registry } = metrics();
  return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
}
