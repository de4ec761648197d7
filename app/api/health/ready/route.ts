import { getDb } from "@/db/client";
import { checkReadiness } from "@/lib/lifecycle/readiness";

export const dynamic = "force-dynamic";

/**
 * Readiness, for the load balancer: 200 when the database answers, the
 * newest migration is applied and the process is not shutting down; 503
 * with the failing checks otherwise.
 */
export async function GET() {
  const { ready, checks } = await checkReadiness(getDb);
  return Response.json(
    { status: ready ? "ok" : "not_ready", checks },
    { status: ready ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
