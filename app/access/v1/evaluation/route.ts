import { evaluationRoute } from "@/lib/access/authzen-routes";

export const dynamic = "force-dynamic";

/** AuthZEN Access Evaluation: may this user hold this role now? */
export const POST = evaluationRoute;
