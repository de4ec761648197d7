import { isDraining } from "@/lib/lifecycle/draining";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "no-store" };

/** Liveness: the process is up and answering (no database). 503 once it is shutting down. */
export function GET() {
  if (isDraining()) return Response.json({ status: "shutting_down" }, { status: 503, headers: NO_STORE });
  return Response.json({ status: "ok" }, { headers: NO_STORE });
}
