import { sql } from "drizzle-orm";

import { getHandle } from "@/db/client";

export const dynamic = "force-dynamic";

/**
 * The combined check: liveness and database reachability in one answer, for
 * monitors and simple load balancers. Orchestrators use /api/health/live and
 * /api/health/ready, which also report migrations and shutdown.
 */
export async function GET() {
  const started = performance.now();
  try {
    const { db, driver } = await getHandle();
    await db.execute(sql`select 1`);
    return Response.json({
      status: "ok",
      database: { status: "ok", driver, latencyMs: Math.round(performance.now() - started) },
    });
  } catch {
    return Response.json({ status: "degraded", database: { status: "unavailable" } }, { status: 503 });
  }
}
