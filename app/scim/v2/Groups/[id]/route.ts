import { observed } from "@/lib/http/observe";
import { deleteGroup, getGroup, patchGroup, replaceGroup } from "@/lib/scim/groups";
import { listQuery, readScimBody, scimBaseUrl, scimResponse, withScimClient } from "@/lib/scim/http";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

async function handleGet(request: Request, { params }: Params) {
  return withScimClient(request, async (actor) =>
    scimResponse(
      await getGroup(actor, (await params).id, scimBaseUrl(), { withMembers: listQuery(request).withMembers }),
    ),
  );
}

async function handlePut(request: Request, { params }: Params) {
  return withScimClient(request, async (actor) => {
    const { id } = await params;
    await replaceGroup(actor, id, await readScimBody(request));
    return scimResponse(await getGroup(actor, id, scimBaseUrl(), { withMembers: true }));
  });
}

/** Membership changes apply the group's mapping (a role or a department) at once. */
async function handlePatch(request: Request, { params }: Params) {
  return withScimClient(request, async (actor) => {
    const { id } = await params;
    await patchGroup(actor, id, await readScimBody(request));
    return new Response(null, { status: 204 });
  });
}

async function handleDelete(request: Request, { params }: Params) {
  return withScimClient(request, async (actor) => {
    await deleteGroup(actor, (await params).id);
    return new Response(null, { status: 204 });
  });
}

export const GET = observed("/scim/v2/Groups/[id]", handleGet);
export const PUT = observed("/scim/v2/Groups/[id]", handlePut);
export const PATCH = observed("/scim/v2/Groups/[id]", handlePatch);
export const DELETE = observed("/scim/v2/Groups/[id]", handleDelete);
