import { evaluationRoute } from "@/lib/access/authzen-routes";
import { observed } from "@/lib/http/observe";

export const dynamic = "force-dynamic";

/** AuthZEN Access Evaluation: may this user hold this role now? */
export const POST = observed("/access/v1/evaluation", evaluationRoute);
