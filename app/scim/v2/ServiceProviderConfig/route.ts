import { serviceProviderConfig } from "@/lib/scim/discovery";
import { scimBaseUrl, scimResponse, withScimClient } from "@/lib/scim/http";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return withScimClient(request, async () => scimResponse(serviceProviderConfig(scimBaseUrl())));
}
