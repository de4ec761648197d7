import { z } from "zod";

import type { ApiScope } from "@/db/schema";

/** Building blocks of the OpenAPI document (lib/access/openapi.ts and its AuthZEN part). */

export type Json = Record<string, unknown>;
export const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

// `format` says it all; zod's long regular expressions for dates and UUIDs only add noise.
export const tidy = ({ jsonSchema }: { jsonSchema: Json }) => {
  if (typeof jsonSchema.format === "string" && "pattern" in jsonSchema) delete jsonSchema.pattern;
};

export function queryParameters(
  schema: z.ZodObject,
  examples: Record<string, string>,
  descriptions: Record<string, string> = {},
) {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", override: tidy }) as {
    properties: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(json.properties).map(([name, { description, ...rest }]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    description: description ?? descriptions[name],
    schema: rest,
    example: examples[name],
  }));
}

/** Every error code the API answers with, its status and an example message. */
export const ERRORS = {
  invalid_request: [400, "user: is required"],
  invalid_json: [400, "The body is not valid JSON."],
  missing_file: [400, 'Send the PDF in the multipart field "file".'],
  unreadable_body: [400, "The request body could not be read."],
  empty_document: [400, "The document is empty."],
  unauthenticated: [401, "Send an API token as 'Authorization: Bearer <token>'."],
  invalid_token: [401, "The API token is not valid or has been revoked."],
  insufficient_scope: [403, 'This token does not have the "{scope}" scope.'],
  unknown_user: [404, 'No person "someone@brightline.example".'],
  unknown_role: [404, 'No data-access role "no-such-role".'],
  payload_too_large: [413, "The body must be at most {max}."],
  unsupported_media_type: [415, "Send the PDF as application/pdf or as multipart/form-data."],
  revision_not_reached: [
    425,
    "This answer would reflect revision 1767225600000, older than the 1767225600042 asked for; retry shortly.",
  ],
  rate_limited: [429, "Too many requests: the limit is 6000 per minute."],
} as const satisfies Record<string, readonly [number, string]>;
export type ErrorCode = keyof typeof ERRORS;

export const STATUS_TEXT: Record<number, string> = {
  400: "The request is invalid; the code says how.",
  401: "No API token, or one that is unknown or revoked.",
  403: "The token lacks the scope this endpoint needs.",
  404: "The person or the role does not exist.",
  413: "The body is too large.",
  415: "The body's Content-Type is not accepted.",
  425: "This instance has not reached the `min_revision` asked for; retry after the seconds in Retry-After.",
  429: "The client's per-minute rate limit is used up; retry after the number of seconds in Retry-After.",
};

export const AUTH_ERRORS: ErrorCode[] = ["unauthenticated", "invalid_token", "insufficient_scope", "rate_limited"];

export function errorResponses(codes: ErrorCode[], vars: { scope?: string; max?: string } = {}): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERRORS[code][0], [...(byStatus.get(ERRORS[code][0]) ?? []), code]);
  const responses: Record<string, Json> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const examples = Object.fromEntries(
      list.map((code) => [
        code,
        {
          value: {
            error: {
              code,
              message: ERRORS[code][1].replace("{scope}", vars.scope ?? "").replace("{max}", vars.max ?? ""),
            },
          },
        },
      ]),
    );
    const headers: Json = {};
    if (status === 401) headers["WWW-Authenticate"] = { description: "Bearer challenge.", schema: { type: "string" } };
    if (status === 429 || status === 425)
      headers["Retry-After"] = {
        description:
          status === 429 ? "Seconds until the rate-limit window resets." : "Seconds to wait before asking again.",
        schema: { type: "integer", minimum: 1 },
      };
    responses[String(status)] = {
      description: STATUS_TEXT[status],
      ...(Object.keys(headers).length ? { headers } : {}),
      content: {
        "application/json": {
          schema: ref(status === 400 && list.includes("invalid_request") ? "ValidationError" : "Error"),
          examples,
        },
      },
    };
  }
  return responses;
}

export const json = (schema: Json, examples?: Record<string, unknown>) => ({
  "application/json": {
    schema,
    ...(examples ? { examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])) } : {}),
  },
});
export const decisionHeaders = {
  "Cache-Control": {
    description:
      "`private, max-age=N` for allowed answers, N never beyond the earliest `valid_until` nor ACCESS_CACHE_SECONDS (default 60); `no-store` when any answer is a denial or an error.",
    schema: { type: "string" },
  },
  "X-Access-Revision": {
    description: "The access revision the answer was read at.",
    schema: { type: "string" },
  },
};
export const decisionIdHeader = {
  "X-Decision-Id": { description: "The decision log row recording this answer.", schema: { type: "string" } },
};
export const bearer = (scope: ApiScope) => [{ bearerAuth: [scope] }];
