import { observed } from "@/lib/http/observe";
import { serviceProviderConfig } from "@/lib/scim/discovery";
import { scimBaseUrl, scimResponse, withScimClient } from "@/lib/scim/http";

export const dynamic = "force-dynamic";

async function handleGet(request: Request) {
  return withScimClient(request, async () => scimResponse(serviceProviderConfig(scimBaseUrl())));
}

export const GET = observed("/scim/v2/ServiceProviderConfig", handleGet);
