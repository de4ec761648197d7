import { evaluationsRoute } from "@/lib/access/authzen-routes";
import { observed } from "@/lib/http/observe";

export const dynamic = "force-dynamic";

/** AuthZEN Access Evaluations: up to 10,000 evaluations in one call, answered in order. */
export const POST = observed("/access/v1/evaluations", evaluationsRoute);
