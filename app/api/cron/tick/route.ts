import { timingSafeEqual } from "node:crypto";

import { env } from "@/lib/env";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { tick } from "@/lib/scheduler/tick";

export const dynamic = "force-dynamic";

/** For deployments that trigger scheduled work from outside: POST with `Authorization: Bearer $CRON_SECRET`. */
async function handlePost(request: Request) {
  const secret = env().CRON_SECRET;
  if (!secret) return apiError(404, "not_found", "The cron endpoint is disabled: set CRON_SECRET to enable it.");
  const given = Buffer.from((request.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, ""));
  const expected = Buffer.from(secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return apiError(401, "unauthenticated", "Send the cron secret as a bearer token.");
  const report = await tick();
  return Response.json(report, { status: report.errors.length ? 500 : 200 });
}

export const POST = observed("/api/cron/tick", handlePost);
