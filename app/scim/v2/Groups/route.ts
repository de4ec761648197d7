import { createGroup, getGroup, listGroups } from "@/lib/scim/groups";
import { listQuery, readScimBody, scimBaseUrl, scimResponse, withScimClient } from "@/lib/scim/http";

export const dynamic = "force-dynamic";

/** SCIM: this client's groups (filter eq on displayName, externalId, id, members[value eq …]). */
export async function GET(request: Request) {
  return withScimClient(request, async (actor) =>
    scimResponse(await listGroups(actor, listQuery(request), scimBaseUrl())),
  );
}

export async function POST(request: Request) {
  return withScimClient(request, async (actor) => {
    const id = await createGroup(actor, await readScimBody(request));
    const base = scimBaseUrl();
    return scimResponse(await getGroup(actor, id, base, { withMembers: true }), 201, {
      Location: `${base}/Groups/${id}`,
    });
  });
}
