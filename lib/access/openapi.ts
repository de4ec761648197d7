import { z } from "zod";

import type { ApiScope } from "@/db/schema";
import { checkpointsBody, checkpointsQuery } from "@/lib/audit/checkpoint-api";

import * as api from "./api-schemas";
import { authzenPaths } from "./openapi-authzen";
import {
  AUTH_ERRORS,
  bearer,
  decisionHeaders,
  decisionIdHeader,
  errorResponses,
  ERRORS,
  json,
  queryParameters,
  ref,
  tidy,
  type Json,
} from "./openapi-parts";

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the zod schemas that
 * validate the requests (lib/access/api-schemas.ts), so the two cannot drift.
 * Static: no database, no configuration.
 */

export const API_SCOPES: Record<ApiScope, string> = {
  "access:check":
    "Ask whether people may hold data-access roles (GET and POST /api/v1/access/check, and AuthZEN's POST /access/v1/evaluation and /access/v1/evaluations).",
  "access:read":
    "List everyone who holds a role, for access reviews (GET /api/v1/access/holders), and follow grant changes (GET /api/v1/access/changes).",
  "events:write": "Report data operations people performed (POST /api/v1/events).",
  "audit:read":
    "Copy the signed audit-log checkpoints, to keep them outside Clearance (GET /api/v1/audit/checkpoints).",
  scim: "Provision people and groups from an identity provider (SCIM 2.0 under /scim/v2; see the README).",
};

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 6000;

// Answers that no request is validated against; they live here until they join api-schemas.ts.
const validationErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe("Every problem found, with the parameter or field it concerns."),
  }),
});
const verifyResult = z.object({
  authentic: z
    .boolean()
    .describe("True only if the file is byte-for-byte a document this Clearance sealed and its seal verifies."),
  message: z.string(),
  kind: z.enum(["agreement", "certificate"]).optional().describe("What the authentic file is."),
  agreement: z.string().optional(),
  version: z.string().optional(),
  signer: z.string().optional(),
  signedAt: z.string().datetime().optional(),
  seal: z
    .object({
      timestamped: z.boolean().describe("The seal carries an RFC 3161 time-stamp from a TSA (PAdES B-T)."),
      longTermValidation: z
        .boolean()
        .describe(
          "The seal carries, signed with it, a CRL for every certificate of its chain (PAdES B-LT), so it can be checked after the sealing certificate expires.",
        ),
    })
    .optional()
    .describe("For an authentic file: what its seal carries besides the signature."),
  certificate: z
    .object({
      holder: z.string(),
      course: z.string(),
      version: z.string(),
      issuedAt: z.string().datetime(),
      expiresAt: z.string().datetime(),
      status: z.enum(["current", "expiring", "expired", "superseded"]),
      holderLeft: z.boolean().describe("The holder has left the organisation."),
      annulled: z
        .boolean()
        .describe("The organisation annulled the certification: it does not show completed training."),
    })
    .optional()
    .describe("For a completion certificate: what the certificate shows, and its standing now."),
});

const componentSchemas: Record<string, z.ZodType> = {
  Decision: api.decisionBody,
  ReasonCode: api.reasonCode,
  BatchCheckRequest: api.batchCheckBody,
  BatchCheckResult: api.batchCheckResult,
  Holders: api.holdersBody,
  DataEvent: api.dataEvent,
  EventsRequest: api.eventsBody,
  EventsResult: api.eventsResult,
  Error: api.apiErrorBody,
  ValidationError: validationErrorBody,
  VerifyResult: verifyResult,
  AuditCheckpoints: checkpointsBody,
  EvaluationRequest: api.evaluationRequest,
  EvaluationsRequest: api.evaluationsRequest,
  EvaluationResponse: api.evaluationResponse,
  EvaluationsResponse: api.evaluationsResponse,
  AuthzenMetadata: api.authzenMetadataBody,
};

function schemasFromZod(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(componentSchemas)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io: "input",
    uri: (id) => `#/components/schemas/${id}`,
    override: tidy,
  });
  // Inside an OpenAPI document the component's location is its identity: drop $schema and $id.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const rest: Json = { ...schema };
      delete rest.$schema;
      delete rest.$id;
      return [id, rest];
    }),
  );
}

const EXAMPLE_USER = "ana.silva@brightline.example";
const EXAMPLE_ROLE = "customer-pii-read";
const REVISION = 1767225600042;
const allowedResult = { allow: true, reasons: [], valid_until: "2027-03-01T09:30:00.000Z", decision_id: "48213" };
const allowed = { ...allowedResult, revision: REVISION };
const denied = {
  allow: false,
  reasons: ["no_grant", "course_missing:support-data-handling"],
  valid_until: null,
  revision: REVISION,
  decision_id: "48214",
};

const DESCRIPTION = `Other systems ask Clearance whether a person may hold a data-access role right now, list who holds a role, and report the data operations people performed.

## Authentication
Send an API token in the \`Authorization: Bearer <token>\` header. A compliance admin creates tokens under **Admin → API**; each carries scopes:

${Object.entries(API_SCOPES)
  .map(([scope, text]) => `- \`${scope}\`: ${text}`)
  .join("\n")}

SCIM 2.0 provisioning (Entra ID, Okta) is served at \`/scim/v2\` (Users, Groups, ServiceProviderConfig, Schemas, ResourceTypes) with a \`scim\` token; it speaks SCIM's own formats (RFC 7643/7644), not this document's.

Tokens are stored only as a hash and shown once. A revoked token answers 401 at once.

## Rate limits
Each API client has its own limit per minute (by default ${DEFAULT_RATE_LIMIT_PER_MINUTE.toLocaleString("en-GB")}), counted in fixed one-minute windows shared by every app instance. Past it, the API answers **429** \`rate_limited\` with a \`Retry-After\` header in seconds. A batch request counts once.

## How a decision is made
A person holds a role at a moment when every requirement is met then, and any record valid then satisfies its requirement, whichever is newest:
- **account** active, else \`account_inactive\`;
- **grant**: one approved by then, not past its end, and approved after the role's latest revocation (revoking a grant ends the person's access to the role; only a later approval restores it). Else \`grant_ended\` when grants were approved since the latest revocation, \`grant_revoked\` when there was a revocation, otherwise \`no_grant\`;
- **each required course**: a certification issued by then, not expired and, if of an older major version, within the grace period after the current major's release. Else \`course_missing:<id>\` when none was issued, otherwise the state of the newest one: \`course_superseded:<id>\` (older major, grace period over) or \`course_expired:<id>\`;
- **each required agreement**: a signature (not a decline) made by then at the current major version or later and before its renewal date. Else \`agreement_missing:<id>\` (never signed) or \`agreement_outdated:<id>\`.

Reasons are listed in that order: account, grant, then the role's courses and agreements in the role's order.

## Caching decisions
An allowed decision carries \`valid_until\`: the earliest of the end of the grant in effect (of several, the one ending last; a grant without an end adds nothing), for each course the moment its longest-lasting certification stops counting (its expiry, or the end of the grace period for an older major), and for each agreement the latest renewal date among its valid signatures. Allowed answers are sent with \`Cache-Control: private, max-age=N\`, N never beyond \`valid_until\` nor the organisation's ACCESS_CACHE_SECONDS (default 60); denials and errors with \`no-store\`. A revocation, suspension or new course version can end an allowed answer before then: follow \`GET /api/v1/access/changes\` to drop cached answers at once.

## Freshness
Every committed change that can alter a decision (a grant, revocation, certification, signature, suspension or course release) advances one organisation-wide **revision**. Every answer carries the revision it was read at (\`revision\`, and the \`X-Access-Revision\` header). Send \`min_revision\` (a query parameter, a batch field, or AuthZEN's \`context.min_revision\`) with a revision you have seen, in an answer or in the change stream, to get an answer at least that fresh: an instance that has not reached it answers **425** \`revision_not_reached\` with \`Retry-After\`.

## Decision log
Every answer is stored before it is sent, and its log row's id is returned as \`decision_id\` (and \`X-Decision-Id\` for a single decision), so a caller can cite the record of a decision. An answer is never sent without its log row: when the database cannot take it, the call fails with a 5xx and the caller should treat that as a denial.

## AuthZEN
The OpenID AuthZEN Authorization API 1.0 is served at \`POST /access/v1/evaluation\` and \`POST /access/v1/evaluations\` (up to ${api.MAX_EVALUATIONS.toLocaleString("en-GB")} evaluations, 4 MB, streamed in order), with metadata at \`/.well-known/authzen-configuration\`. A subject is \`{"type": "user", "id": <email or id>}\`, a resource \`{"type": "role", "id": <role id>}\`, and the action \`hold\` (or the data operation that needs the role, e.g. \`customer.view\`). The decision's \`context\` holds \`reasons\`, \`valid_until\`, \`revision\` and \`decision_id\`; an evaluation that cannot be answered is \`decision: false\` with \`context.error\`. The same token scope (\`access:check\`), rate limit and decision log apply, on the app and on the decision listener.

## Errors
Every error is JSON: \`{"error": {"code": "…", "message": "…"}}\` with the HTTP status; a 400 \`invalid_request\` also lists \`fields\`. Messages are for people; branch on \`code\`.`;

function paths(): Json {
  return {
    "/api/v1/access/check": {
      get: {
        operationId: "checkAccess",
        tags: ["Access decisions"],
        summary: "May this person hold this role right now?",
        description:
          "Decides one (user, role) pair. Denials list every reason. Each answer is logged with the asking client. Systems that ask on every data access can send this request, and the batch, to the decision listener instead: the same endpoint on its own port (ACCESS_API_PORT), served outside the web framework, with the same tokens, answers and log.",
        security: bearer("access:check"),
        parameters: queryParameters(api.checkQuery, { user: EXAMPLE_USER, role: EXAMPLE_ROLE }),
        responses: {
          "200": {
            description: "The decision.",
            headers: { ...decisionHeaders, ...decisionIdHeader },
            content: json(ref("Decision"), { allowed, denied }),
          },
          ...errorResponses(
            ["invalid_request", ...AUTH_ERRORS, "unknown_user", "unknown_role", "revision_not_reached"],
            {
              scope: "access:check",
            },
          ),
        },
      },
      post: {
        operationId: "checkAccessBatch",
        tags: ["Access decisions"],
        summary: "Up to 1,000 decisions in one call",
        description:
          "Results come back in the order of `checks`. An unknown user or role does not fail the batch: that entry carries `error` and `allow: false`. The body may be at most 256 KB.",
        security: bearer("access:check"),
        requestBody: {
          required: true,
          content: json(ref("BatchCheckRequest"), {
            two: {
              checks: [
                { user: EXAMPLE_USER, role: EXAMPLE_ROLE },
                { user: "priya.nair@brightline.example", role: "customer-data-export" },
              ],
            },
          }),
        },
        responses: {
          "200": {
            description: "One result per check, in order.",
            headers: decisionHeaders,
            content: json(ref("BatchCheckResult"), {
              results: {
                revision: REVISION,
                results: [
                  { user: EXAMPLE_USER, role: EXAMPLE_ROLE, ...allowedResult },
                  {
                    user: "nobody@brightline.example",
                    role: "customer-data-export",
                    allow: false,
                    reasons: [],
                    valid_until: null,
                    error: { code: "unknown_user", message: 'No person "nobody@brightline.example".' },
                  },
                ],
              },
            }),
          },
          ...errorResponses(
            ["invalid_request", "invalid_json", ...AUTH_ERRORS, "payload_too_large", "revision_not_reached"],
            { scope: "access:check", max: "256 KB" },
          ),
        },
      },
    },
    ...authzenPaths(),
    "/api/v1/access/holders": {
      get: {
        operationId: "listRoleHolders",
        tags: ["Access reviews"],
        summary: "Everyone who holds a role now",
        description:
          "Exactly the people the access check allows for the role at `at`, as JSON or as CSV (`format=csv`) for access reviews. `valid_until` is the check's; `grant_ends_at` is the end of the grant in effect (the one the decision used: after a renewal, the newer grant), null for a grant without an end.",
        security: bearer("access:read"),
        parameters: queryParameters(
          api.holdersQuery,
          { role: EXAMPLE_ROLE, format: "json" },
          { format: "`json` (default) or `csv` for a spreadsheet download." },
        ),
        responses: {
          "200": {
            description: "The holders at `at`.",
            content: {
              ...json(ref("Holders"), {
                holders: {
                  role: EXAMPLE_ROLE,
                  at: "2026-05-04T10:00:00.000Z",
                  holders: [
                    {
                      id: "6f1c2b9e-4a7d-4c1e-9b2f-3d5e7a9c1b20",
                      email: EXAMPLE_USER,
                      name: "Ana Silva",
                      department: "Customer Support",
                      valid_until: "2027-03-01T09:30:00.000Z",
                      grant_ends_at: null,
                    },
                  ],
                },
              }),
              "text/csv": {
                schema: { type: "string" },
                example:
                  "id,email,name,department,valid_until,grant_ends_at\r\n6f1c2b9e-…,ana.silva@brightline.example,Ana Silva,Customer Support,2027-03-01T09:30:00.000Z,\r\n",
              },
            },
          },
          ...errorResponses(["invalid_request", ...AUTH_ERRORS, "unknown_role"], { scope: "access:read" }),
        },
      },
    },
    "/api/v1/events": {
      post: {
        operationId: "recordDataEvents",
        tags: ["Data-operation events"],
        summary: "Report data operations",
        description:
          'One event, or `{ "events": [...] }` with up to 1,000. Each is stored and marked with whether the person was cleared for the named role when it happened (without a role: whether their account was active). The body may be at most 256 KB.',
        security: bearer("events:write"),
        requestBody: {
          required: true,
          content: json(ref("EventsRequest"), {
            one: {
              user: EXAMPLE_USER,
              action: "customer.view",
              resource: "customer:8812",
              occurred_at: "2026-05-04T09:58:12Z",
              role: EXAMPLE_ROLE,
            },
            many: {
              events: [
                {
                  user: EXAMPLE_USER,
                  action: "export.csv",
                  resource: "ticket:48213",
                  occurred_at: "2026-05-04T09:58:12Z",
                  role: "customer-data-export",
                },
              ],
            },
          }),
        },
        responses: {
          "201": {
            description: "Every event was stored.",
            content: json(ref("EventsResult"), {
              stored: { accepted: 1, results: [{ id: 1042, cleared: true, reasons: [] }] },
            }),
          },
          "207": {
            description: "Some events were stored; the others carry `error` (unknown user or role).",
            content: json(ref("EventsResult"), {
              partial: {
                accepted: 1,
                results: [
                  { id: 1043, cleared: false, reasons: ["no_grant"] },
                  {
                    id: null,
                    cleared: null,
                    reasons: [],
                    error: { code: "unknown_user", message: 'No person "nobody@brightline.example".' },
                  },
                ],
              },
            }),
          },
          ...errorResponses(["invalid_request", "invalid_json", ...AUTH_ERRORS, "payload_too_large"], {
            scope: "events:write",
            max: "256 KB",
          }),
          "404": {
            description:
              "No event was stored because every one named an unknown user or role. A single event answers with the error; a batch with its results.",
            content: {
              "application/json": {
                schema: { oneOf: [ref("Error"), ref("EventsResult")] },
                examples: {
                  unknown_user: { value: { error: { code: "unknown_user", message: ERRORS.unknown_user[1] } } },
                  unknown_role: { value: { error: { code: "unknown_role", message: ERRORS.unknown_role[1] } } },
                },
              },
            },
          },
        },
      },
    },
    "/api/v1/audit/checkpoints": {
      get: {
        operationId: "listAuditCheckpoints",
        tags: ["Audit log"],
        summary: "Signed checkpoints of the audit log",
        description:
          "Each checkpoint states the audit log's head (the newest event's id and hash, and how many events lead to it), signed with the organisation's sealing certificate; Clearance signs one every hour and when an auditor asks. Oldest first: call with `after` set to the last id you hold and store every `file` outside Clearance. Someone who can write to Clearance's database cannot then delete or rewrite events up to a checkpoint you hold without `npm run audit:verify -- --checkpoint FILE` saying so.",
        security: bearer("audit:read"),
        parameters: queryParameters(checkpointsQuery, { after: "0", limit: "100" }),
        responses: {
          "200": {
            description: "A page of checkpoints.",
            headers: {
              "Cache-Control": { description: "Always `no-store`.", schema: { type: "string", const: "no-store" } },
            },
            content: json(ref("AuditCheckpoints")),
          },
          ...errorResponses(["invalid_request", ...AUTH_ERRORS], { scope: "audit:read" }),
        },
      },
    },
    "/api/v1/verify": {
      post: {
        operationId: "verifySignedDocument",
        tags: ["Signed agreements"],
        summary: "Is this signed agreement or completion certificate PDF authentic?",
        description:
          "Send the PDF as the raw body (`application/pdf`) or as the multipart field `file`, at most 10 MB. Only what the document itself shows is revealed: the agreement, version, signer's name and date; or the certificate's holder, course and dates, with its standing now (current, expired, superseded, or the holder has left). No token is needed.",
        security: [],
        requestBody: {
          required: true,
          content: {
            "application/pdf": { schema: { type: "string", contentMediaType: "application/pdf" } },
            "multipart/form-data": {
              schema: {
                type: "object",
                properties: { file: { type: "string", contentMediaType: "application/pdf" } },
                required: ["file"],
              },
            },
          },
        },
        responses: {
          "200": {
            description: "The verdict.",
            content: json(ref("VerifyResult"), {
              authentic: {
                authentic: true,
                kind: "agreement",
                message: "Authentic: Employee confidentiality agreement v2.0.0 signed by Ana Silva on 2026-03-02",
                agreement: "Employee confidentiality agreement",
                version: "2.0.0",
                signer: "Ana Silva",
                signedAt: "2026-03-02T14:05:00.000Z",
              },
              certificate: {
                authentic: true,
                kind: "certificate",
                message:
                  "Authentic: certificate of completion of Support Data Handling v2.1.0 issued to Ana Silva on 2026-03-02 (valid)",
                certificate: {
                  holder: "Ana Silva",
                  course: "Support Data Handling",
                  version: "2.1.0",
                  issuedAt: "2026-03-02T10:00:00.000Z",
                  expiresAt: "2027-03-02T10:00:00.000Z",
                  status: "current",
                  holderLeft: false,
                  annulled: false,
                },
              },
              unknown: { authentic: false, message: "Not recognised or modified" },
            }),
          },
          ...errorResponses(
            ["missing_file", "unreadable_body", "empty_document", "payload_too_large", "unsupported_media_type"],
            { max: "10 MB" },
          ),
        },
      },
    },
    "/api/v1/openapi.json": {
      get: {
        operationId: "getOpenApiDocument",
        tags: ["Meta"],
        summary: "This OpenAPI document",
        security: [],
        responses: {
          "200": {
            description: "The OpenAPI 3.1 document.",
            content: { "application/json": { schema: { type: "object" } } },
          },
        },
      },
    },
  };
}

let cached: Json | undefined;

export function openApiDocument(): Json {
  cached ??= {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    info: {
      title: "Clearance API",
      version: "1.0.0",
      summary: "Live data-access decisions, access reviews and data-operation events.",
      description: DESCRIPTION,
    },
    tags: [
      { name: "Access decisions", description: "May a person hold a data-access role now?" },
      { name: "AuthZEN", description: "The same decisions through the OpenID AuthZEN Authorization API 1.0." },
      { name: "Access reviews", description: "Who holds a role, and how grants change." },
      { name: "Data-operation events", description: "What people did with data, checked against their clearance." },
      { name: "Signed agreements", description: "Verify sealed agreement and completion certificate PDFs." },
      { name: "Audit log", description: "Signed checkpoints that anchor the audit log outside Clearance." },
      { name: "Meta", description: "About the API itself." },
    ],
    paths: paths(),
    components: {
      schemas: schemasFromZod(),
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: `An API token created by a compliance admin. Scopes (listed in each operation's security requirement): ${Object.keys(API_SCOPES).join(", ")}.`,
        },
      },
    },
  };
  return cached;
}
