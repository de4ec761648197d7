import { z } from "zod";

import { uuidSchema } from "@/lib/ids";

/** The API's request and response shapes: they validate requests and generate the OpenAPI document. */

/** PostgreSQL cannot store NUL in text: refused at the boundary with a field message rather than failing later. */
const noNul = (value: string) => !value.includes("\u0000");

/**
 * The instants a timestamptz column takes as the driver sends them (ISO 8601 with a
 * four-digit year, UTC): PostgreSQL refuses year 0 and the "+010000-…" form of year
 * 10000, which "9999-12-31T23:59:59-14:00" becomes. Outside this range is a 400, not a failed insert.
 */
export const EARLIEST_STORABLE_INSTANT = "0001-01-01T00:00:00.000Z";
export const LATEST_STORABLE_INSTANT = "9999-12-31T23:59:59.999Z";
export function isStorableInstant(value: string): boolean {
  const ms = Date.parse(value);
  return (
    Number.isFinite(ms) && ms >= Date.parse(EARLIEST_STORABLE_INSTANT) && ms <= Date.parse(LATEST_STORABLE_INSTANT)
  );
}

/** An ISO 8601 date-time with an offset that the database can store. */
export const storableDateTime = z
  .string()
  .datetime({ offset: true, message: "must be an ISO 8601 date-time" })
  .refine(isStorableInstant, "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z");

export const userRef = z
  .string()
  .trim()
  .min(1, "is required")
  .max(320)
  .refine(noNul, "must not contain NUL characters")
  .describe("The person's work email address or Clearance id (UUID).");
export const roleRef = z
  .string()
  .trim()
  .regex(/^[a-z0-9-]{1,100}$/, "must be a role id like customer-pii-read")
  .describe("A data-access role id from the organisation's role catalogue.");

export const minRevision = z.coerce
  .number({ message: "must be a revision number" })
  .int("must be a whole number")
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .optional()
  .describe(
    "Answer only from facts at least this fresh: a revision seen in an earlier answer or change. An instance that has not reached it answers 425 with Retry-After.",
  );

export const checkQuery = z.object({ user: userRef, role: roleRef, min_revision: minRevision });

export const reasonCode = z
  .string()
  .describe(
    "no_grant, grant_revoked, grant_ended, account_inactive, course_missing:<id>, course_expired:<id>, course_superseded:<id>, agreement_missing:<id>, agreement_outdated:<id>",
  );

export const decisionBody = z.object({
  allow: z.boolean(),
  reasons: z.array(reasonCode),
  valid_until: z
    .string()
    .datetime()
    .nullable()
    .describe("When allowed: the earliest expiry among the requirements. Callers may cache the answer until then."),
  revision: z.number().int().describe("The access revision the answer was read at."),
  decision_id: z.string().describe("The decision log row that records this answer (also in X-Decision-Id)."),
});

export const batchCheckBody = z.object({
  checks: z
    .array(z.object({ user: userRef, role: roleRef }))
    .min(1, "needs at least one check")
    .max(1000, "at most 1,000 checks per request"),
  min_revision: minRevision,
});

export const batchCheckResult = z.object({
  revision: z.number().int().describe("The access revision the answers were read at."),
  results: z.array(
    z.object({
      user: z.string(),
      role: z.string(),
      allow: z.boolean(),
      reasons: z.array(reasonCode),
      valid_until: z.string().datetime().nullable(),
      decision_id: z.string().optional(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
});

export const holdersQuery = z.object({ role: roleRef, format: z.enum(["json", "csv"]).default("json") });

export const holdersBody = z.object({
  role: z.string(),
  at: z.string().datetime(),
  holders: z.array(
    z.object({
      id: uuidSchema(),
      email: z.string(),
      name: z.string(),
      department: z.string().nullable(),
      valid_until: z.string().datetime().nullable(),
      grant_ends_at: z.string().datetime().nullable(),
    }),
  ),
});

export const dataEvent = z.object({
  user: userRef,
  action: z
    .string()
    .trim()
    .min(1, "is required")
    .max(100)
    .refine(noNul, "must not contain NUL characters")
    .describe("What the person did, e.g. customer.view, export.csv, remote_session.start"),
  resource: z
    .string()
    .trim()
    .min(1, "is required")
    .max(500)
    .refine(noNul, "must not contain NUL characters")
    .describe("What it was done to, e.g. ticket:48213 or customer:8812"),
  occurred_at: storableDateTime.describe("When it happened (ISO 8601, between the years 0001 and 9999 in UTC)."),
  role: roleRef.optional().describe("The data-access role the operation needs; the event is checked against it."),
});

export const eventsBody = z.union([
  dataEvent,
  z.object({ events: z.array(dataEvent).min(1).max(1000, "at most 1,000 events per request") }),
]);

export const eventsResult = z.object({
  accepted: z.number().int(),
  results: z.array(
    z.object({
      id: z.number().int().nullable(),
      cleared: z.boolean().nullable(),
      reasons: z.array(reasonCode),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
});

export const apiErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/* The OpenID AuthZEN Authorization API 1.0 (lib/access/authzen.ts). Unknown fields are ignored, as the standard asks. */

/** The most evaluations in one AuthZEN call. */
export const MAX_EVALUATIONS = 10_000;

const authzenProperties = z
  .record(z.string(), z.unknown())
  .optional()
  .describe("Accepted and ignored: the decision reads Clearance's own records.");
const authzenSubject = z
  .object({
    type: z.string({ message: "must be a string" }).min(1, "is required").describe('Always "user".'),
    id: z
      .string({ message: "must be a string" })
      .min(1, "is required")
      .max(320)
      .describe("The person's work email or id."),
    properties: authzenProperties,
  })
  .describe("The person asked about.");
const authzenResource = z
  .object({
    type: z.string({ message: "must be a string" }).min(1, "is required").describe('Always "role".'),
    id: z.string({ message: "must be a string" }).min(1, "is required").max(320).describe("A data-access role id."),
    properties: authzenProperties,
  })
  .describe("The data-access role.");
const authzenAction = z
  .object({
    name: z
      .string({ message: "must be a string" })
      .min(1, "is required")
      .max(100)
      .describe('"hold", or the data operation that needs the role (e.g. customer.view): the same decision.'),
    properties: authzenProperties,
  })
  .describe("What the person would do.");
const authzenContext = z
  .record(z.string(), z.unknown())
  .describe("Environmental attributes. `min_revision` asks for an answer at least that fresh; others are ignored.");

export const evaluationRequest = z.object({
  subject: authzenSubject,
  action: authzenAction,
  resource: authzenResource,
  context: authzenContext.optional(),
});
export type EvaluationRequest = z.infer<typeof evaluationRequest>;

export const evaluationsRequest = z.object({
  subject: authzenSubject.optional().describe("The default subject of every evaluation."),
  action: authzenAction.optional().describe("The default action of every evaluation."),
  resource: authzenResource.optional().describe("The default resource of every evaluation."),
  context: authzenContext.optional(),
  evaluations: z
    .array(z.unknown())
    .max(MAX_EVALUATIONS, `at most ${MAX_EVALUATIONS.toLocaleString("en-GB")} evaluations per request`)
    .optional()
    .describe(
      "Evaluations, each with any of subject, action, resource and context overriding the defaults. Without any, the call is one evaluation of the top-level fields.",
    ),
  options: z
    .object({
      evaluations_semantic: z
        .enum(["execute_all", "deny_on_first_deny", "permit_on_first_permit"], {
          message: "must be execute_all, deny_on_first_deny or permit_on_first_permit",
        })
        .optional(),
    })
    .optional(),
});

export const evaluationResponse = z.object({
  decision: z.boolean(),
  context: z
    .object({
      reasons: z.array(reasonCode).optional(),
      valid_until: z.string().datetime().nullable().optional(),
      revision: z.number().int().optional(),
      decision_id: z.string().optional(),
      error: z.object({ status: z.number().int(), code: z.string(), message: z.string() }).optional(),
    })
    .optional(),
});

export const evaluationsResponse = z.object({ evaluations: z.array(evaluationResponse) });

export const authzenMetadataBody = z.object({
  policy_decision_point: z.string().url(),
  access_evaluation_endpoint: z.string().url(),
  access_evaluations_endpoint: z.string().url(),
});
