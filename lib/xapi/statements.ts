import { createHash } from "node:crypto";

/**
 * The xAPI 1.0.3 statements Clearance sends to a learning record store, one
 * builder per event. Verbs and activity types are the ADL vocabulary and the
 * xAPI registry's (registry.tincanapi.com); Clearance's own activities are
 * IRIs on the organisation's APP_URL, so two deployments never collide.
 *
 * A statement's id is a UUID derived from the event it records (see
 * `statementId`), never random: an event queued twice is one statement, and
 * resending it after a lost answer is a PUT of the same statement, which an
 * LRS accepts once.
 */

export const VERBS = {
  completed: { id: "http://adlnet.gov/expapi/verbs/completed", display: "completed" },
  attempted: { id: "http://adlnet.gov/expapi/verbs/attempted", display: "attempted" },
  passed: { id: "http://adlnet.gov/expapi/verbs/passed", display: "passed" },
  failed: { id: "http://adlnet.gov/expapi/verbs/failed", display: "failed" },
  earned: { id: "http://id.tincanapi.com/verb/earned", display: "earned" },
  expired: { id: "http://id.tincanapi.com/verb/expired", display: "expired" },
  agreed: { id: "http://activitystrea.ms/schema/1.0/agree", display: "agreed to" },
  authorized: { id: "http://activitystrea.ms/schema/1.0/authorize", display: "authorized" },
  retracted: { id: "http://activitystrea.ms/schema/1.0/retract", display: "retracted" },
} as const;
export type VerbName = keyof typeof VERBS;

export const ACTIVITY_TYPES = {
  course: "http://adlnet.gov/expapi/activities/course",
  lesson: "http://adlnet.gov/expapi/activities/lesson",
  assessment: "http://adlnet.gov/expapi/activities/assessment",
  certificate: "http://id.tincanapi.com/activitytype/certificate",
  document: "http://id.tincanapi.com/activitytype/document",
  role: "http://id.tincanapi.com/activitytype/resource",
} as const;

/** Fixed for good: changing it would give every event a new statement id, and the LRS would store each one twice. */
const NAMESPACE = "8d5f2a4e-3c1b-4b7a-9e2d-6f0a1c3b5d7e";

/** An RFC 4122 version-5 UUID (SHA-1, name-based) of `name` in Clearance's namespace (or another). */
export function statementId(name: string, namespace = NAMESPACE): string {
  const hash = createHash("sha1")
    .update(Buffer.from(namespace.replaceAll("-", ""), "hex"))
    .update(name, "utf8")
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An ISO 8601 duration, as xAPI wants it: `PT1H2M3.5S`. */
export function isoDuration(seconds: number): string {
  const s = Math.max(0, seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = Math.round((s % 60) * 100) / 100;
  return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}${rest || (!h && !m) ? `${rest}S` : ""}`;
}

export type Agent = {
  objectType: "Agent";
  name?: string;
  mbox?: string;
  account?: { homePage: string; name: string };
};
type LanguageMap = Record<string, string>;
type Activity = {
  objectType: "Activity";
  id: string;
  definition: { type: string; name: LanguageMap; extensions?: Record<string, unknown> };
};
export type Statement = {
  id: string;
  actor: Agent;
  verb: { id: string; display: LanguageMap };
  object: Activity | Agent;
  result?: {
    score?: { scaled: number; raw: number; min: number; max: number };
    success?: boolean;
    completion?: boolean;
    duration?: string;
  };
  context: {
    registration?: string;
    platform?: string;
    language: string;
    contextActivities?: { parent?: Activity[]; other?: Activity[] };
    extensions?: Record<string, unknown>;
  };
  timestamp: string;
};

/** Where the statements point: the organisation's Clearance, and how people are named. */
export type Origin = { appUrl: string; actor: "account" | "mbox" };
/** A person as a statement names them: by account, or by e-mail when the deployment says so. */
export type Person = { id: string; email?: string | null };

const SYSTEM = "system";

function homePage(origin: Origin): string {
  return new URL("/", origin.appUrl).toString();
}
function iri(origin: Origin, path: string): string {
  return new URL(path, origin.appUrl).toString();
}
const en = (text: string): LanguageMap => ({ "en-US": text });

export function agentOf(origin: Origin, person: Person): Agent {
  if (origin.actor === "mbox" && person.email) return { objectType: "Agent", mbox: `mailto:${person.email}` };
  return { objectType: "Agent", account: { homePage: homePage(origin), name: person.id } };
}
/** Clearance itself, for what the scheduler decides (a lapse, a restore). */
function systemAgent(origin: Origin): Agent {
  return { objectType: "Agent", name: "Clearance", account: { homePage: homePage(origin), name: SYSTEM } };
}

function activity(origin: Origin, path: string, type: string, name: string, extensions?: Record<string, unknown>) {
  return {
    objectType: "Activity" as const,
    id: iri(origin, path),
    definition: { type, name: en(name), ...(extensions ? { extensions } : {}) },
  };
}
const courseActivity = (origin: Origin, course: CourseRef) =>
  activity(origin, `/courses/${encodeURIComponent(course.id)}`, ACTIVITY_TYPES.course, course.title);
const versionExtension = (origin: Origin, version: string) => ({
  [iri(origin, "/xapi/extensions/course-version")]: version,
});

/** The id of the statement an event makes: the same event gives the same id, in this deployment only. */
function idFor(origin: Origin, key: string): string {
  return statementId(`${homePage(origin)}|${key}`);
}

/** The id `certificationExpired` gives, to find the expiries already queued without building their statements. */
export function certificationExpiredId(origin: Origin, certificationId: string): string {
  return idFor(origin, `certification-expired:${certificationId}`);
}

function statement(
  origin: Origin,
  key: string,
  at: Date,
  parts: Omit<Statement, "id" | "timestamp" | "context" | "verb"> & {
    verb: VerbName;
    context?: Omit<Statement["context"], "platform" | "language">;
  },
): Statement {
  const verb = VERBS[parts.verb];
  return {
    id: idFor(origin, key),
    actor: parts.actor,
    verb: { id: verb.id, display: en(verb.display) },
    object: parts.object,
    ...(parts.result ? { result: parts.result } : {}),
    // xAPI allows `platform` only on a statement about an activity.
    context: {
      ...(parts.object.objectType === "Activity" ? { platform: "Clearance" } : {}),
      language: "en-US",
      ...parts.context,
    },
    timestamp: at.toISOString(),
  };
}

export type CourseRef = { id: string; title: string; version: string };

export function lessonCompleted(
  origin: Origin,
  e: { person: Person; course: CourseRef; lesson: { slug: string; title: string }; at: Date },
): Statement {
  return statement(origin, `lesson-completed:${e.person.id}:${e.course.id}:${e.lesson.slug}`, e.at, {
    actor: agentOf(origin, e.person),
    verb: "completed",
    object: activity(
      origin,
      `/courses/${encodeURIComponent(e.course.id)}/lessons/${encodeURIComponent(e.lesson.slug)}`,
      ACTIVITY_TYPES.lesson,
      e.lesson.title,
    ),
    result: { completion: true },
    context: {
      contextActivities: { parent: [courseActivity(origin, e.course)] },
      extensions: versionExtension(origin, e.course.version),
    },
  });
}

/** The course's assessment: its quiz, or its SCORM package. */
function assessment(origin: Origin, course: CourseRef) {
  return activity(
    origin,
    `/courses/${encodeURIComponent(course.id)}/quiz`,
    ACTIVITY_TYPES.assessment,
    `${course.title}: assessment`,
  );
}

export function attemptStarted(
  origin: Origin,
  e: { person: Person; course: CourseRef; attemptId: string; at: Date },
): Statement {
  return statement(origin, `attempted:${e.attemptId}`, e.at, {
    actor: agentOf(origin, e.person),
    verb: "attempted",
    object: assessment(origin, e.course),
    context: {
      registration: e.attemptId,
      contextActivities: { parent: [courseActivity(origin, e.course)] },
      extensions: versionExtension(origin, e.course.version),
    },
  });
}

/** A graded attempt: passed or failed, with its score in percent when there is one, and how long it took. */
export function attemptGraded(
  origin: Origin,
  e: {
    person: Person;
    course: CourseRef;
    attemptId: string;
    passed: boolean;
    scorePercent: number | null;
    seconds: number;
    at: Date;
  },
): Statement {
  const score =
    e.scorePercent === null
      ? {}
      : { score: { scaled: Math.min(1, Math.max(0, e.scorePercent / 100)), raw: e.scorePercent, min: 0, max: 100 } };
  return statement(origin, `graded:${e.attemptId}`, e.at, {
    actor: agentOf(origin, e.person),
    verb: e.passed ? "passed" : "failed",
    object: assessment(origin, e.course),
    result: { ...score, success: e.passed, completion: true, duration: isoDuration(e.seconds) },
    context: {
      registration: e.attemptId,
      contextActivities: { parent: [courseActivity(origin, e.course)] },
      extensions: versionExtension(origin, e.course.version),
    },
  });
}

function certificate(origin: Origin, course: CourseRef, expiresAt: Date) {
  return activity(
    origin,
    `/courses/${encodeURIComponent(course.id)}/certification`,
    ACTIVITY_TYPES.certificate,
    `${course.title}: certification`,
    { [iri(origin, "/xapi/extensions/expires-at")]: expiresAt.toISOString() },
  );
}

export function certificationEarned(
  origin: Origin,
  e: { person: Person; course: CourseRef; certificationId: string; attemptId: string; expiresAt: Date; at: Date },
): Statement {
  return statement(origin, `certification-earned:${e.certificationId}`, e.at, {
    actor: agentOf(origin, e.person),
    verb: "earned",
    object: certificate(origin, e.course, e.expiresAt),
    context: {
      registration: e.attemptId,
      contextActivities: { parent: [courseActivity(origin, e.course)] },
      extensions: versionExtension(origin, e.course.version),
    },
  });
}

export function certificationExpired(
  origin: Origin,
  e: { person: Person; course: CourseRef; certificationId: string; expiresAt: Date },
): Statement {
  return statement(origin, `certification-expired:${e.certificationId}`, e.expiresAt, {
    actor: agentOf(origin, e.person),
    verb: "expired",
    object: certificate(origin, e.course, e.expiresAt),
    context: {
      contextActivities: { parent: [courseActivity(origin, e.course)] },
      extensions: versionExtension(origin, e.course.version),
    },
  });
}

export function agreementSigned(
  origin: Origin,
  e: {
    person: Person;
    agreement: { id: string; title: string; version: string };
    signatureId: string;
    pdfSha256: string;
    at: Date;
  },
): Statement {
  return statement(origin, `agreement-signed:${e.signatureId}`, e.at, {
    actor: agentOf(origin, e.person),
    verb: "agreed",
    object: activity(
      origin,
      `/agreements/${encodeURIComponent(e.agreement.id)}`,
      ACTIVITY_TYPES.document,
      e.agreement.title,
    ),
    result: { completion: true },
    context: {
      extensions: {
        [iri(origin, "/xapi/extensions/agreement-version")]: e.agreement.version,
        [iri(origin, "/xapi/extensions/document-sha256")]: e.pdfSha256,
      },
    },
  });
}

export type AccessChange = "granted" | "revoked" | "lapsed" | "restored" | "effective";

/**
 * A change to who holds a data-access role: the decider (an approver, or
 * Clearance itself for a lapse, a restore or an approval coming into
 * effect) authorized or retracted the holder, for the role named in the
 * context. `key` tells apart the lapses and restores of one grant.
 */
export function accessChanged(
  origin: Origin,
  e: {
    change: AccessChange;
    holder: Person;
    decidedBy: Person | null;
    role: { id: string; name: string };
    grantId: string;
    key?: string;
    at: Date;
  },
): Statement {
  const granting = e.change !== "revoked" && e.change !== "lapsed";
  return statement(origin, `access-${e.change}:${e.grantId}${e.key ? `:${e.key}` : ""}`, e.at, {
    actor: e.decidedBy ? agentOf(origin, e.decidedBy) : systemAgent(origin),
    verb: granting ? "authorized" : "retracted",
    object: agentOf(origin, e.holder),
    context: {
      contextActivities: {
        other: [activity(origin, `/access/roles/${encodeURIComponent(e.role.id)}`, ACTIVITY_TYPES.role, e.role.name)],
      },
      extensions: { [iri(origin, "/xapi/extensions/access-change")]: e.change },
    },
  });
}
