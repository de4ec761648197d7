import { observed } from "@/lib/http/observe";
import { createGroup, getGroup, listGroups } from "@/lib/scim/groups";
import { listQuery, readScimBody, scimBaseUrl, scimResponse, withScimClient } from "@/lib/scim/http";

export const dynamic = "force-dynamic";

/** SCIM: this client's groups (filter eq on displayName, externalId, id, members[value eq …]). */
async function handleGet(request: Request) {
  return withScimClient(request, async (actor) =>
    scimResponse(await listGroups(actor, listQuery(request), scimBaseUrl())),
  );
}

async function handlePost(request: Request) {
  return withScimClient(request, async (actor) => {
    const id = await createGroup(actor, await readScimBody(request));
    const base = scimBaseUrl();
    return scimResponse(await getGroup(actor, id, base, { withMembers: true }), 201, {
      Location: `${base}/Groups/${id}`,
    });
  });
}

export const GET = observed("/scim/v2/Groups", handleGet);
export const POST = observed("/scim/v2/Groups", handlePost);
