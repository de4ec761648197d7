import { z } from "zod";
import { ACCESS_ROLE_IDS, appRoles, DEPARTMENT_IDS, MAX_NAMED_PEOPLE } from "./audience-ids";

export { ACCESS_ROLE_IDS, DEPARTMENT_IDS, MAX_NAMED_PEOPLE };

/** The shapes of everything under content/, documented in content/README.md. */

const kebab = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be kebab-case (a-z, 0-9, -)");
const semver = z.string().regex(/^\d+\.\d+\.\d+$/, "must be a semantic version like 1.2.0");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-11-01");
const calendarDate = isoDate.refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "is not a date in the calendar");
const text = z.string().trim().min(1, "must not be empty");

export const audienceRuleSchema = z
  .object({
    everyone: z.literal(true).optional(),
    departments: z.array(z.enum(DEPARTMENT_IDS)).optional(),
    appRoles: z.array(z.enum(appRoles)).optional(),
    accessRoles: z.array(z.enum(ACCESS_ROLE_IDS)).optional(),
    /** Named people, by their e-mail address in Clearance. */
    people: z
      .array(z.string().trim().toLowerCase().email("must be an e-mail address"))
      .max(MAX_NAMED_PEOPLE, `at most ${MAX_NAMED_PEOPLE} people by name: use departments or roles for more`)
      .optional(),
    /** The first day the rule applies (UTC); before it, it covers nobody. */
    from: calendarDate.optional(),
    /** The last day the rule applies (UTC); after it, it covers nobody. */
    until: calendarDate.optional(),
  })
  .strict()
  .refine(
    (r) => r.everyone || r.departments?.length || r.appRoles?.length || r.accessRoles?.length || r.people?.length,
    "must name everyone, departments, appRoles, accessRoles or people",
  )
  .refine((r) => !r.from || !r.until || r.from <= r.until, { message: "must not end before it starts", path: ["until"] });
export type AudienceRule = z.infer<typeof audienceRuleSchema>;

export const courseMetaSchema = z
  .object({
    id: kebab,
    title: text,
    summary: text,
    version: semver,
    objectives: z.array(text).min(3, "needs at least 3 objectives").max(6, "at most 6 objectives"),
    validityMonths: z.union([z.literal(12), z.literal(24)], { message: "must be 12 or 24" }),
    passMark: z.number().int().min(50).max(100),
    questionsPerAttempt: z.number().int().min(1).max(50),
    attemptLimit: z.number().int().min(1).max(10),
    cooldownHours: z.number().int().min(0).max(24 * 30),
    /**
     * When a learner's graded attempt shows the correct options: "after_pass" (the default) keeps them
     * back from a failed attempt, whose questions may be drawn again; "always"; or "never".
     */
    revealAnswers: z.enum(["always", "after_pass", "never"]).default("after_pass"),
    estimatedMinutes: z.number().int().min(1).max(600),
    graceDays: z.number().int().min(0).max(365),
    dueDays: z.number().int().min(1).max(365),
    assignTo: audienceRuleSchema,
    /**
     * The SCORM package the course plays instead of lessons and a quiz: the SHA-256 of its ZIP, as uploaded in the
     * draft editor. The package's own result (passed, or completed) certifies, with this course's validity.
     */
    package: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "must be the SHA-256 of an uploaded package: upload it in the draft editor")
      .optional(),
  })
  .strict();
export type CourseMeta = z.infer<typeof courseMetaSchema>;

const optionSchema = z.object({ id: kebab, text, correct: z.boolean().optional() }).strict();
/** scenario: the prompt puts the reader in a situation at work; recall: it asks for a fact or rule as such. */
export const QUESTION_KINDS = ["scenario", "recall"] as const;
const kind = z.enum(QUESTION_KINDS, { message: "must be scenario or recall" });

export const questionSchema = z.discriminatedUnion("type", [
  z
    .object({ id: kebab, type: z.literal("single"), kind, prompt: text, options: z.array(optionSchema).min(3).max(5), explanation: text })
    .strict()
    .refine((q) => q.options.filter((o) => o.correct).length === 1, { message: "a single-choice question needs exactly one correct option", path: ["options"] }),
  z
    .object({ id: kebab, type: z.literal("multiple"), kind, prompt: text, options: z.array(optionSchema).min(3).max(6), explanation: text })
    .strict()
    .refine((q) => q.options.filter((o) => o.correct).length >= 2, { message: "a multiple-choice question needs at least two correct options", path: ["options"] }),
  z.object({ id: kebab, type: z.literal("true_false"), kind, prompt: text, answer: z.boolean(), explanation: text }).strict(),
]);
export type Question = z.infer<typeof questionSchema>;

export const questionBankSchema = z
  .array(questionSchema)
  .min(15, "a course needs at least 15 questions")
  .superRefine((questions, ctx) => {
    const seen = new Set<string>();
    questions.forEach((q, i) => {
      if (seen.has(q.id)) ctx.addIssue({ code: "custom", message: `duplicate question id "${q.id}"`, path: [i, "id"] });
      seen.add(q.id);
      if ("options" in q) {
        const ids = q.options.map((o) => o.id);
        if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", message: "option ids must be unique", path: [i, "options"] });
      }
    });
  });

export const SIGNATURE_LEVELS = ["acknowledge", "typed", "drawn"] as const;
export type SignatureLevel = (typeof SIGNATURE_LEVELS)[number];

export const agreementMetaSchema = z
  .object({
    id: kebab,
    title: text,
    version: semver,
    audience: z.enum(["employee", "partner"]),
    renewalMonths: z.number().int().min(1, "must be at least 1: every signature is renewed").max(120),
    signers: audienceRuleSchema,
    summary: text,
    /** The signing button works only once the signer has reached the end of the text. */
    mustRead: z.boolean().default(false),
    /**
     * How people sign: "acknowledge" (a click while signed in, for policies), "typed" (the legal name typed and
     * identity confirmed again with the password or an authenticator code; a drawing optional) or "drawn" (as typed,
     * and a drawn signature required).
     */
    signature: z.enum(SIGNATURE_LEVELS, { message: "must be acknowledge, typed or drawn" }).default("typed"),
    /** "pdf": the document people sign is agreements/<id>.pdf beside this file; the Markdown is its introduction. */
    document: z.literal("pdf", { message: 'must be "pdf" (the document is agreements/<id>.pdf)' }).optional(),
  })
  .strict();
export type AgreementMeta = z.infer<typeof agreementMetaSchema>;

export const AGREEMENT_PLACEHOLDERS = [
  "person.name",
  "person.email",
  "organisation.name",
  "organisation.jurisdiction",
  "partner.name",
  "date",
] as const;

export const GUIDE_TOPICS = ["accounts", "scams", "support", "rights", "devices", "data"] as const;

export const guideMetaSchema = z
  .object({
    title: text,
    description: text.max(160, "must be at most 160 characters"),
    topic: z.enum(GUIDE_TOPICS),
    readingMinutes: z.number().int().min(1).max(60),
    lastReviewed: isoDate,
    related: z.array(kebab).max(5).default([]),
    quiz: z
      .array(
        z
          .object({ prompt: text, options: z.array(text).min(2).max(5), answer: z.number().int().min(0), explanation: text })
          .strict()
          .refine((q) => q.answer < q.options.length, { message: "answer must be the index of one of the options", path: ["answer"] }),
      )
      .optional(),
  })
  .strict();
export type GuideMeta = z.infer<typeof guideMetaSchema>;

export const privacyNoticeMetaSchema = z.object({ title: text, lastUpdated: isoDate, version: semver }).strict();

export const retentionPolicySchema = z.array(
  z
    .object({
      id: kebab,
      data: text,
      retention: z.string().regex(/^P(\d+Y)?(\d+M)?(\d+D)?$/, "must be an ISO-8601 duration like P3Y or P90D"),
      legalHold: z.boolean(),
      reason: text,
    })
    .strict(),
);

export const esignConsentMetaSchema = z.object({ version: semver }).strict();

export const accessRoleSchema = z
  .object({
    id: z.enum(ACCESS_ROLE_IDS, { message: `must be one of ${ACCESS_ROLE_IDS.join(", ")}` }),
    name: text,
    description: text,
    courses: z.array(kebab).default([]),
    agreements: z.array(kebab).default([]),
    approver: z.enum(["manager", "compliance"]),
    maxGrantDays: z.number().int().min(1).max(3650).default(365),
  })
  .strict();
export type AccessRole = z.infer<typeof accessRoleSchema>;
export const accessRolesSchema = z.array(accessRoleSchema).min(1);
