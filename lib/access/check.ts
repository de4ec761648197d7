import "server-only";
import { inArray, or } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { people } from "@/db/schema";
import type { Decision } from "./decide";
import { logDecisions } from "./decision-log";
import { accessRole, decisionFor, loadFactsFor, type FactsWanted } from "./facts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Maps what callers send (email or id) to people, in one query. */
export async function resolvePeople(db: Executor, refs: string[]): Promise<Map<string, string>> {
  const emails = Array.from(new Set(refs.filter((r) => !UUID.test(r)).map((r) => r.toLowerCase())));
  const ids = Array.from(new Set(refs.filter((r) => UUID.test(r)).map((r) => r.toLowerCase())));
  if (emails.length + ids.length === 0) return new Map();
  const rows = await db
    .select({ id: people.id, email: people.email })
    .from(people)
    .where(or(emails.length ? inArray(people.email, emails) : undefined, ids.length ? inArray(people.id, ids) : undefined));
  const map = new Map<string, string>();
  for (const row of rows) {
    map.set(row.email, row.id);
    map.set(row.id, row.id);
  }
  return map;
}

type Loaded = Awaited<ReturnType<typeof loadFactsFor>>;
type Group = { pairs: FactsWanted[]; waiters: { resolve: (loaded: Loaded) => void; reject: (error: unknown) => void }[] };

const PAIRS_PER_READ = 1000;
const gathering = new Map<Executor, Group>();

/**
 * Reads facts for checks that arrive together in one statement: every call
 * made in the same turn of the event loop joins one read (up to
 * PAIRS_PER_READ pairs), issued after the last of them arrived, so each
 * answer still reflects the database as it was after its request came in.
 * Under load a burst of single checks costs one read instead of one each.
 */
function sharedFactsFor(db: Executor, pairs: FactsWanted[]): Promise<Loaded> {
  let group = gathering.get(db);
  if (!group || group.pairs.length + pairs.length > PAIRS_PER_READ) {
    const fresh: Group = { pairs: [], waiters: [] };
    gathering.set(db, fresh);
    setImmediate(() => void readGroup(db, fresh));
    group = fresh;
  }
  group.pairs.push(...pairs);
  return new Promise((resolve, reject) => group.waiters.push({ resolve, reject }));
}

async function readGroup(db: Executor, group: Group): Promise<void> {
  if (gathering.get(db) === group) gathering.delete(db);
  try {
    const loaded = await loadFactsFor(db, group.pairs);
    for (const w of group.waiters) w.resolve(loaded);
  } catch (error) {
    for (const w of group.waiters) w.reject(error);
  }
}

export type CheckResult = { user: string; role: string; decision: Decision | null; error?: { code: "unknown_user" | "unknown_role"; message: string } };

/**
 * Decides many (user, role) pairs in one query, and logs every answer (who
 * asked, about whom, which role, the result) before returning it.
 */
export async function checkAccess(db: Executor, clientId: string | null, pairs: { user: string; role: string }[], now = new Date()): Promise<CheckResult[]> {
  const { resolved, facts } = await sharedFactsFor(db, pairs);
  const results: CheckResult[] = pairs.map(({ user, role: roleId }) => {
    const role = accessRole(roleId);
    if (!role) return { user, role: roleId, decision: null, error: { code: "unknown_role", message: `No data-access role "${roleId}".` } };
    const personId = resolved.get(UUID.test(user) ? user.toLowerCase() : user.toLowerCase());
    if (!personId) return { user, role: roleId, decision: null, error: { code: "unknown_user", message: `No person "${user}".` } };
    return { user, role: roleId, decision: decisionFor(facts, personId, role, now) };
  });
  await logDecisions(
    db,
    results
      .filter((r) => r.decision)
      .map((r) => ({ at: now, clientId, personId: resolved.get(r.user.toLowerCase()) ?? null, subject: r.user.slice(0, 320), roleId: r.role, allow: r.decision!.allow, reasons: r.decision!.reasons })),
  );
  return results;
}

export function decisionJson(decision: Decision) {
  return { allow: decision.allow, reasons: decision.reasons, valid_until: decision.valid_until?.toISOString() ?? null };
}
