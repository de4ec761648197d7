import { metadataRoute } from "@/lib/access/authzen-routes";
import { observed } from "@/lib/http/observe";

export const dynamic = "force-dynamic";

/** AuthZEN Policy Decision Point metadata. */
export const GET = observed("/.well-known/authzen-configuration", metadataRoute);
