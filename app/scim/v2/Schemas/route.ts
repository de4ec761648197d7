import { observed } from "@/lib/http/observe";
import { schemas } from "@/lib/scim/discovery";
import { scimBaseUrl, scimResponse, withScimClient } from "@/lib/scim/http";

export const dynamic = "force-dynamic";

async function handleGet(request: Request) {
  return withScimClient(request, async () => scimResponse(schemas(scimBaseUrl())));
}

export const GET = observed("/scim/v2/Schemas", handleGet);
