import { getDb } from "@/db/client";
import { observed } from "@/lib/http/observe";
import { listQuery, readScimBody, scimBaseUrl, scimResponse, withScimClient } from "@/lib/scim/http";
import { createUser } from "@/lib/scim/user-writes";
import { listUsers, readUser, userJson, userLocation } from "@/lib/scim/users";

export const dynamic = "force-dynamic";

/** SCIM: find people (filter eq on userName, externalId, emails[type eq "work"].value), paged. */
async function handleGet(request: Request) {
  return withScimClient(request, async () =>
    scimResponse(await listUsers(await getDb(), listQuery(request), scimBaseUrl())),
  );
}

/** SCIM: provision a person. */
async function handlePost(request: Request) {
  return withScimClient(request, async (actor) => {
    const id = await createUser(actor, await readScimBody(request));
    const base = scimBaseUrl();
    return scimResponse(userJson(await readUser(await getDb(), id), base), 201, { Location: userLocation(base, id) });
  });
}

export const GET = observed("/scim/v2/Users", handleGet);
export const POST = observed("/scim/v2/Users", handlePost);
