import * as Group from "@/app/scim/v2/Groups/[id]/route";
import * as Groups from "@/app/scim/v2/Groups/route";
import * as ResourceTypes from "@/app/scim/v2/ResourceTypes/route";
import * as Schemas from "@/app/scim/v2/Schemas/route";
import * as ServiceProviderConfig from "@/app/scim/v2/ServiceProviderConfig/route";
import * as User from "@/app/scim/v2/Users/[id]/route";
import * as Users from "@/app/scim/v2/Users/route";

type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;
const ROUTES: [RegExp, Record<string, unknown>][] = [
  [/^\/Users\/([^/?]+)/, User],
  [/^\/Users/, Users],
  [/^\/Groups\/([^/?]+)/, Group],
  [/^\/Groups/, Groups],
  [/^\/ServiceProviderConfig/, ServiceProviderConfig],
  [/^\/Schemas/, Schemas],
  [/^\/ResourceTypes/, ResourceTypes],
];

export const SCIM_BASE = "http://localhost/scim/v2";

/** Sends a request to the SCIM route handler for `path` (relative to /scim/v2), as Next.js would route it. */
export async function scimRaw(
  authorization: string | undefined,
  method: string,
  path: string,
  body?: string | Uint8Array,
  contentLength?: string,
): Promise<Response> {
  const [pattern, module] = ROUTES.find(([p]) => p.test(path))!;
  const id = decodeURIComponent(pattern.exec(path)?.[1] ?? "");
  const handler = module[method] as Handler | undefined;
  if (!handler) throw new Error(`no ${method} for ${path}`);
  const headers: Record<string, string> = { "content-type": "application/scim+json" };
  if (authorization !== undefined) headers.authorization = authorization;
  if (contentLength !== undefined) headers["content-length"] = contentLength;
  return handler(new Request(`${SCIM_BASE}${path}`, { method, headers, body: body as BodyInit | undefined }), {
    params: Promise.resolve({ id }),
  });
}

export async function scim(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read SCIM answers of many shapes
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await scimRaw(
    token ? `Bearer ${token}` : undefined,
    method,
    path,
    body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  );
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const patchOf = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });
