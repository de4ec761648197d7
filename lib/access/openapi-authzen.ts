import { MAX_EVALUATIONS } from "./api-schemas";
import {
  AUTH_ERRORS,
  bearer,
  decisionHeaders,
  decisionIdHeader,
  errorResponses,
  json,
  ref,
  type Json,
} from "./openapi-parts";

/** The OpenAPI description of the AuthZEN endpoints and the access change stream. */

const USER = { type: "user", id: "ana.silva@brightline.example" };
const ROLE = { type: "role", id: "customer-pii-read" };
const HOLD = { name: "hold" };
const allowedContext = {
  reasons: [],
  valid_until: "2027-03-01T09:30:00.000Z",
  revision: 1767225600042,
  decision_id: "48213",
};
const requestId = {
  "X-Request-ID": {
    description: "The caller's X-Request-ID, echoed; one of Clearance's own when absent.",
    schema: { type: "string" },
  },
};
const requestIdParameter = {
  name: "X-Request-ID",
  in: "header",
  required: false,
  description: "Echoed in the answer, as the AuthZEN standard recommends.",
  schema: { type: "string", maxLength: 200 },
};
const PROTOCOL_ERRORS = [
  "invalid_request",
  "invalid_json",
  ...AUTH_ERRORS,
  "payload_too_large",
  "revision_not_reached",
] as const;

export function authzenPaths(): Record<string, Json> {
  return {
    "/access/v1/evaluation": {
      post: {
        operationId: "authzenEvaluation",
        tags: ["AuthZEN"],
        summary: "AuthZEN Access Evaluation: may this user hold this role now?",
        description:
          "The OpenID AuthZEN Authorization API 1.0 Access Evaluation. Missing or mistyped subject, action or resource, a body that is not a JSON object, or a Content-Type other than application/json is a 400. A subject or resource type other than user and role, or an unknown person or role, is `decision: false` with `context.error`. Served on the app and on the decision listener.",
        security: bearer("access:check"),
        parameters: [requestIdParameter],
        requestBody: {
          required: true,
          content: json(ref("EvaluationRequest"), {
            hold: { subject: USER, action: HOLD, resource: ROLE },
            fresh: {
              subject: USER,
              action: { name: "customer.view" },
              resource: ROLE,
              context: { min_revision: 1767225600042 },
            },
          }),
        },
        responses: {
          "200": {
            description: "The decision.",
            headers: { ...decisionHeaders, ...decisionIdHeader, ...requestId },
            content: json(ref("EvaluationResponse"), {
              allowed: { decision: true, context: allowedContext },
              denied: {
                decision: false,
                context: {
                  ...allowedContext,
                  reasons: ["agreement_missing:employee-nda"],
                  valid_until: null,
                  decision_id: "48214",
                },
              },
              unknownUser: {
                decision: false,
                context: {
                  error: { status: 404, code: "unknown_user", message: 'No person "nobody@brightline.example".' },
                  revision: 1767225600042,
                },
              },
            }),
          },
          ...errorResponses([...PROTOCOL_ERRORS], { scope: "access:check", max: "4096 KB" }),
        },
      },
    },
    "/access/v1/evaluations": {
      post: {
        operationId: "authzenEvaluations",
        tags: ["AuthZEN"],
        summary: `AuthZEN Access Evaluations: up to ${MAX_EVALUATIONS.toLocaleString("en-GB")} decisions in one call`,
        description:
          "Each evaluation is merged with the top-level subject, action, resource and context, and answered in order. `options.evaluations_semantic` may be `execute_all` (the default), `deny_on_first_deny` or `permit_on_first_permit`; a short-circuited answer ends at that evaluation, and only the evaluations returned are logged. An evaluation that is incomplete is `decision: false` with `context.error`, without failing the call. More than 1,000 evaluations are decided 1,000 at a time and the answer is streamed as each part is logged (`Cache-Control: no-store`). Without `evaluations` (or with an empty list) the call is one Access Evaluation.",
        security: bearer("access:check"),
        parameters: [requestIdParameter],
        requestBody: {
          required: true,
          content: json(ref("EvaluationsRequest"), {
            oneUser: {
              subject: USER,
              action: HOLD,
              evaluations: [{ resource: ROLE }, { resource: { type: "role", id: "customer-data-export" } }],
            },
          }),
        },
        responses: {
          "200": {
            description: "One decision per evaluation, in order.",
            headers: { ...decisionHeaders, ...requestId },
            content: json(ref("EvaluationsResponse"), {
              twoRoles: {
                evaluations: [
                  { decision: true, context: allowedContext },
                  {
                    decision: false,
                    context: { ...allowedContext, reasons: ["no_grant"], valid_until: null, decision_id: "48215" },
                  },
                ],
              },
            }),
          },
          ...errorResponses([...PROTOCOL_ERRORS], { scope: "access:check", max: "4096 KB" }),
        },
      },
    },
    "/.well-known/authzen-configuration": {
      get: {
        operationId: "authzenMetadata",
        tags: ["AuthZEN"],
        summary: "AuthZEN Policy Decision Point metadata",
        description:
          "Where the evaluation endpoints are. The app names APP_URL; the decision listener names ACCESS_API_URL (else its own address).",
        security: [],
        responses: {
          "200": {
            description: "The metadata document.",
            content: json(ref("AuthzenMetadata"), {
              app: {
                policy_decision_point: "https://clearance.brightline.example",
                access_evaluation_endpoint: "https://clearance.brightline.example/access/v1/evaluation",
                access_evaluations_endpoint: "https://clearance.brightline.example/access/v1/evaluations",
              },
            }),
          },
        },
      },
    },
    "/api/v1/access/changes": {
      get: {
        operationId: "followAccessChanges",
        tags: ["Access reviews"],
        summary: "Grant changes and access revisions, as they happen (Server-Sent Events)",
        description:
          "A `text/event-stream` of `access.granted`, `access.effective`, `access.revoked`, `access.lapsed` and `access.restored` events (data: JSON with `id`, `type`, `at`, `person_id`, `role_id`, `revision` and, where they apply, `pending`, `ends_at`, `reasons`), each with its `id`, and a `revision` event whenever the access revision advances (also for changes that are not grant events: a certification, a signature, a suspension — drop cached answers then). Without `Last-Event-ID` the stream starts from now; with it, right after that event, so a client that reconnects misses nothing. The stream ends after five minutes; EventSource reconnects by itself. At most 4 open streams per API client on each instance.",
        security: bearer("access:read"),
        parameters: [
          {
            name: "Last-Event-ID",
            in: "header",
            required: false,
            description: "The id of the last event received: the stream resumes after it.",
            schema: { type: "string", pattern: "^[0-9]{1,15}$" },
          },
          {
            name: "after",
            in: "query",
            required: false,
            description: "The same as Last-Event-ID, for clients that cannot set headers.",
            schema: { type: "string", pattern: "^[0-9]{1,15}$" },
          },
        ],
        responses: {
          "200": {
            description: "The event stream.",
            content: {
              "text/event-stream": {
                schema: { type: "string" },
                example:
                  'retry: 2000\nevent: revision\ndata: {"revision":1767225600042}\n\nid: 90211\nevent: access.revoked\ndata: {"id":90211,"type":"access.revoked","at":"2026-12-06T10:15:00.000Z","person_id":"6f1c2b9e-2d1f-4c55-9d0e-8f4b2a7c1e30","role_id":"customer-pii-read","revision":1767225600043}\n\n',
              },
            },
          },
          ...errorResponses(["invalid_request", ...AUTH_ERRORS], { scope: "access:read" }),
        },
      },
    },
  };
}
