import { getDb } from "@/db/client";
import { observed } from "@/lib/http/observe";
import { readScimBody, scimBaseUrl, scimResponse, withScimClient } from "@/lib/scim/http";
import { deleteUser, patchUser, replaceUser } from "@/lib/scim/user-writes";
import { readUser, userJson } from "@/lib/scim/users";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

const current = async (id: string) => scimResponse(userJson(await readUser(await getDb(), id), scimBaseUrl()));

async function handleGet(request: Request, { params }: Params) {
  return withScimClient(request, async () => current((await params).id));
}

async function handlePut(request: Request, { params }: Params) {
  return withScimClient(request, async (actor) => {
    const { id } = await params;
    await replaceUser(actor, id, await readScimBody(request));
    return current(id);
  });
}

/** `active: false` suspends the person: sessions end, access checks deny with account_inactive. */
async function handlePatch(request: Request, { params }: Params) {
  return withScimClient(request, async (actor) => {
    const { id } = await params;
    await patchUser(actor, id, await readScimBody(request));
    return current(id);
  });
}

/** The person departs: their record and history stay, their access ends. */
async function handleDelete(request: Request, { params }: Params) {
  return withScimClient(request, async (actor) => {
    await deleteUser(actor, (await params).id);
    return new Response(null, { status: 204 });
  });
}

export const GET = observed("/scim/v2/Users/[id]", handleGet);
export const PUT = observed("/scim/v2/Users/[id]", handlePut);
export const PATCH = observed("/scim/v2/Users/[id]", handlePatch);
export const DELETE = observed("/scim/v2/Users/[id]", handleDelete);
