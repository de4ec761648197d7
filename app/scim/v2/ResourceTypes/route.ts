import { observed } from "@/lib/http/observe";
import { resourceTypes } from "@/lib/scim/discovery";
import { scimBaseUrl, scimResponse, withScimClient } from "@/lib/scim/http";

export const dynamic = "force-dynamic";

async function handleGet(request: Request) {
  return withScimClient(request, async () => scimResponse(resourceTypes(scimBaseUrl())));
}

export const GET = observed("/scim/v2/ResourceTypes", handleGet);
