import "server-only";

import { env } from "@/lib/env";
import { API_BODY_MAX_BYTES, authenticateApiClient, parseJsonText, readBodyBytes, type ApiReply } from "@/lib/http/api";
import { metaFromHeaders } from "@/lib/http/request-context";

import { paging, type ScimActor } from "./actor";
import { invalidSyntax, SCIM_CONTENT_TYPE, ScimError, scimErrorBody } from "./errors";

/** SCIM's base URL as identity providers are told it (README): the public URL, never the Host header a client sent. */
export const scimBaseUrl = () => `${env().APP_URL.replace(/\/$/, "")}/scim/v2`;

export function scimResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": SCIM_CONTENT_TYPE, "Cache-Control": "no-store", ...headers },
  });
}

export const scimErrorResponse = (error: ScimError, headers: Record<string, string> = {}) =>
  scimResponse(scimErrorBody(error), error.status, headers);

/** The API's own refusal (401, 403, 413, 429) in SCIM's error format, keeping its headers. */
function fromApiReply(reply: ApiReply): Response {
  const message = (reply.body as { error?: { message?: string } }).error?.message ?? "The request was refused.";
  return scimErrorResponse(new ScimError(reply.status, message), reply.headers);
}

/**
 * Runs a SCIM handler for a client whose token has the `scim` scope.
 * Expected failures become SCIM errors; anything else is a bug and stays a 500.
 */
export async function withScimClient(
  request: Request,
  handler: (actor: ScimActor) => Promise<Response>,
): Promise<Response> {
  const auth = await authenticateApiClient(request.headers.get("authorization"), "scim");
  if (!auth.ok) return fromApiReply(auth.reply);
  const meta = metaFromHeaders((name) => request.headers.get(name));
  try {
    return await handler({
      clientId: auth.client.id,
      clientName: auth.client.name,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  } catch (error) {
    if (error instanceof ScimError) return scimErrorResponse(error);
    throw error;
  }
}

/** A JSON body of at most 256 KB, as every API body. */
export async function readScimBody(request: Request): Promise<unknown> {
  const bytes = await readBodyBytes(request, API_BODY_MAX_BYTES);
  if (!bytes.ok)
    throw new ScimError(bytes.reply.status, (bytes.reply.body as { error: { message: string } }).error.message);
  // Parsed as every API body is: lone surrogates made well-formed, so what is stored is valid text.
  const json = parseJsonText(new TextDecoder().decode(bytes.bytes), API_BODY_MAX_BYTES);
  if (!json.ok) throw invalidSyntax("The body is not valid JSON.");
  return json.value;
}

/** filter, startIndex, count and excludedAttributes of a list request. */
export function listQuery(request: Request) {
  const params = new URL(request.url).searchParams;
  const filter = params.get("filter");
  const excluded = (params.get("excludedAttributes") ?? "")
    .toLowerCase()
    .split(",")
    .map((s) => s.trim());
  return {
    filter: filter && filter.trim() ? filter : null,
    ...paging(params),
    withMembers: !excluded.includes("members"),
  };
}
