import { metadataRoute } from "@/lib/access/authzen-routes";

export const dynamic = "force-dynamic";

/** AuthZEN Policy Decision Point metadata. */
export const GET = metadataRoute;
