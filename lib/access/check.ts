import "server-only";

import { inArray, or } from "drizzle-orm";

import { createBatcher } from "@/db/batcher";
import { isPool, type Db, type Executor } from "@/db/client";
import { people } from "@/db/schema";
import { readInParallel } from "@/db/snapshot";
import { isUuid } from "@/lib/ids";
import { metrics } from "@/lib/metrics";

import type { Decision } from "./decide.rules";
import { assertDecisionLogKeepsUp, logDecisions } from "./decision-log";
import { accessRole, decisionFor, loadFactsFor, mergePersonFacts, type FactsWanted, type ReadOptions } from "./facts";
import { decideHeld, factsCacheFor, type RoleFacts } from "./facts-cache";

/** Maps what callers send (email or id) to people, in one query. */
export async function resolvePeople(db: Executor, refs: string[]): Promise<Map<string, string>> {
  const emails = Array.from(new Set(refs.filter((r) => !isUuid(r)).map((r) => r.toLowerCase())));
  const ids = Array.from(new Set(refs.filter(isUuid).map((r) => r.toLowerCase())));
  if (emails.length + ids.length === 0) return new Map();
  const rows = await db
    .select({ id: people.id, email: people.email })
    .from(people)
    .where(
      or(emails.length ? inArray(people.email, emails) : undefined, ids.length ? inArray(people.id, ids) : undefined),
    );
  const map = new Map<string, string>();
  for (const row of rows) {
    map.set(row.email, row.id);
    map.set(row.id, row.id);
  }
  return map;
}

type Loaded = Awaited<ReturnType<typeof loadFactsFor>>;
/** Facts read as of `asOf`; `held`: the pairs the facts cache holds for this read, by "person role" (facts-cache.ts). */
type Read = { loaded: Loaded; asOf: Date; held?: Map<string, RoleFacts> };

/**
 * The facts of `wanted` as they are now, through this process's facts cache
 * where it holds them (facts-cache.ts): `read` reads the rest, in one snapshot
 * that also confirms the cached ones. `read` learns how many pairs the cache
 * does not hold, to choose how to read them.
 */
async function readCurrent(
  db: Executor,
  wanted: FactsWanted[],
  read: (options: ReadOptions, missing: number) => Promise<Loaded>,
): Promise<Read> {
  const asOf = new Date();
  const cache = factsCacheFor(db);
  if (!cache) return { loaded: await read({ asOf }, wanted.length), asOf };
  const lookup = cache.lookup(wanted);
  const loaded = await read({ known: lookup.known }, wanted.length - lookup.held.length);
  const held = cache.complete(wanted, lookup, loaded);
  const counter = metrics().accessFactsPairs;
  const fromCache = loaded.revision === lookup.known.revision ? lookup.held.length : 0;
  counter.inc({ source: "held" }, fromCache);
  counter.inc({ source: "read" }, wanted.length - fromCache);
  return { loaded, asOf, held };
}

/**
 * Facts for checks that arrive together are read in one statement (see
 * createBatcher): each read is issued after its requests arrived, so every
 * answer reflects the database as it was after its request came in, and a
 * burst of single checks costs one read instead of one each.
 */
const sharedFactsFor = createBatcher<Executor, FactsWanted, Read>({
  maxItems: 1000,
  maxInFlight: 2,
  run: (db, wanted) => readCurrent(db, wanted, (options) => loadFactsFor(db, wanted, options)),
});

export type CheckResult = {
  user: string;
  role: string;
  decision: Decision | null;
  /** The decision log row's id, returned to callers as the decision id; null for an error. */
  decisionId: number | null;
  /** The access revision the facts were read at (see accessRevision in db/schema). */
  revision: number;
  error?: { code: "unknown_user" | "unknown_role"; message: string };
};

/** The database has not yet reached the revision a caller asked for (a lagging instance or a revision not issued yet). */
export class RevisionNotReachedError extends Error {
  constructor(
    readonly wanted: number,
    readonly current: number,
  ) {
    super(`Revision ${wanted} is not reached yet (at ${current}).`);
    this.name = "RevisionNotReachedError";
  }
}

/** Waits between re-reads when a caller's min_revision is ahead of the facts read: about a quarter of a second in all. */
const REVISION_RETRY_MS = [20, 60, 150];

/**
 * A batch of at least this many pairs reads its facts in PARALLEL_PARTS
 * statements side by side from one snapshot (db/snapshot.ts) instead of
 * one: on PostgreSQL each statement runs on one core.
 */
export const PARALLEL_READ_PAIRS = 400;
const PARALLEL_PARTS = 2;

/** The facts of a large batch, its people split in PARALLEL_PARTS and read side by side as of one moment, merged. */
async function readInParts(db: Db, pairs: FactsWanted[], options: ReadOptions): Promise<Loaded> {
  const parts: FactsWanted[][] = Array.from({ length: PARALLEL_PARTS }, () => []);
  const partOf = new Map<string, number>();
  for (const pair of pairs) {
    const ref = pair.user.toLowerCase();
    if (!partOf.has(ref)) partOf.set(ref, partOf.size % PARALLEL_PARTS);
    parts[partOf.get(ref)!].push(pair);
  }
  const [first, ...rest] = await readInParallel(
    db,
    parts.map((part) => (tx: Executor) => loadFactsFor(tx, part, options)),
  );
  // A person named one way in one part and another way in the other was read in both, each for its own roles.
  for (const more of rest) {
    for (const [ref, id] of more.resolved) first.resolved.set(ref, id);
    for (const [id, person] of more.facts.persons) {
      const read = first.facts.persons.get(id);
      first.facts.persons.set(id, read ? mergePersonFacts(read, person) : person);
    }
  }
  return first;
}

async function readFacts(db: Executor, pairs: FactsWanted[], at: Date | undefined, minRevision: number) {
  const read = async (): Promise<Read> =>
    at
      ? { loaded: await loadFactsFor(db, pairs, { asOf: at }), asOf: at }
      : pairs.length >= PARALLEL_READ_PAIRS && isPool(db)
        ? await readCurrent(db, pairs, (options, missing) =>
            missing >= PARALLEL_READ_PAIRS ? readInParts(db, pairs, options) : loadFactsFor(db, pairs, options),
          )
        : await sharedFactsFor(db, pairs);
  let result = await read();
  for (const wait of REVISION_RETRY_MS) {
    if (result.loaded.revision >= minRevision) return result;
    await new Promise((resolve) => setTimeout(resolve, wait));
    result = await read();
  }
  if (result.loaded.revision < minRevision) throw new RevisionNotReachedError(minRevision, result.loaded.revision);
  return result;
}

/** Decisions made but not yet logged: see decideChecks and logChecks. */
export type UnloggedChecks = {
  results: CheckResult[];
  at: Date;
  personIds: Map<string, string>;
};

/**
 * Decides many (user, role) pairs in one query, as of the moment the facts
 * were read, or as of `at` when given. With `minRevision`, the facts are read
 * again (briefly) until they reflect at least that revision, else
 * RevisionNotReachedError. Refused at once (DecisionLogOverloadedError) while
 * the decision log has a long backlog. Nothing leaves before logChecks has stored it.
 */
export async function decideChecks(
  db: Executor,
  pairs: { user: string; role: string }[],
  at?: Date,
  { minRevision = 0 }: { minRevision?: number } = {},
): Promise<UnloggedChecks> {
  assertDecisionLogKeepsUp(db);
  const { loaded, asOf: now, held } = await readFacts(db, pairs, at, minRevision);
  const { resolved, facts, revision } = loaded;
  const results: CheckResult[] = pairs.map(({ user, role: roleId }) => {
    const role = accessRole(roleId);
    const base = { user, role: roleId, decision: null, decisionId: null, revision };
    if (!role) return { ...base, error: { code: "unknown_role", message: `No data-access role "${roleId}".` } };
    const personId = resolved.get(user.toLowerCase());
    if (!personId) return { ...base, error: { code: "unknown_user", message: `No person "${user}".` } };
    const entry = held?.get(`${personId} ${role.id}`);
    return {
      ...base,
      decision: entry ? decideHeld(entry, facts, personId, role, now) : decisionFor(facts, personId, role, now),
    };
  });
  return { results, at: now, personIds: resolved };
}

/**
 * Logs decisions (who asked, about whom, which role, the result) and gives
 * each its decision id; `results` may be a prefix of what was decided (an
 * answer cut short), and only what is returned is logged.
 */
export async function logChecks(
  db: Executor,
  clientId: string | null,
  { at, personIds }: UnloggedChecks,
  results: CheckResult[],
): Promise<CheckResult[]> {
  const decided = results.filter((r) => r.decision);
  const ids = await logDecisions(
    db,
    decided.map((r) => ({
      at,
      clientId,
      personId: personIds.get(r.user.toLowerCase()) ?? null,
      subject: r.user.slice(0, 320),
      roleId: r.role,
      allow: r.decision!.allow,
      reasons: r.decision!.reasons,
    })),
  );
  decided.forEach((r, i) => (r.decisionId = ids[i]));
  countDecisions(results);
  return results;
}

/** access_decisions_total: each answer once, under its first reason code (without the course or agreement id). */
function countDecisions(results: CheckResult[]): void {
  const counter = metrics().accessDecisions;
  for (const r of results) {
    if (r.error) counter.inc({ result: "error", reason: r.error.code });
    else if (r.decision!.allow) counter.inc({ result: "allow", reason: "none" });
    else counter.inc({ result: "deny", reason: (r.decision!.reasons[0] ?? "unknown").split(":")[0] });
  }
}

/** Decides many (user, role) pairs and logs every answer before returning it (decideChecks, then logChecks). */
export async function checkAccess(
  db: Executor,
  clientId: string | null,
  pairs: { user: string; role: string }[],
  at?: Date,
  options: { minRevision?: number } = {},
): Promise<CheckResult[]> {
  const decided = await decideChecks(db, pairs, at, options);
  return logChecks(db, clientId, decided, decided.results);
}

export function decisionJson(decision: Decision) {
  return { allow: decision.allow, reasons: decision.reasons, valid_until: decision.valid_until?.toISOString() ?? null };
}
