import { evaluationsRoute } from "@/lib/access/authzen-routes";

export const dynamic = "force-dynamic";

/** AuthZEN Access Evaluations: up to 10,000 evaluations in one call, answered in order. */
export const POST = evaluationsRoute;
