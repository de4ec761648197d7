import "server-only";

import { inArray, or } from "drizzle-orm";

import { createBatcher } from "@/db/batcher";
import type { Executor } from "@/db/client";
import { people } from "@/db/schema";
import { isUuid } from "@/lib/ids";

import type { Decision } from "./decide.rules";
import { logDecisions } from "./decision-log";
import { accessRole, decisionFor, loadFactsFor, type FactsWanted } from "./facts";

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

/**
 * Facts for checks that arrive together are read in one statement (see
 * createBatcher): each read is issued after its requests arrived, so every
 * answer reflects the database as it was after its request came in, and a
 * burst of single checks costs one read instead of one each.
 */
const sharedFactsFor = createBatcher<Executor, FactsWanted, { loaded: Loaded; asOf: Date }>({
  maxItems: 1000,
  maxInFlight: 2,
  run: async (db, wanted) => {
    const asOf = new Date();
    return { loaded: await loadFactsFor(db, wanted, { asOf }), asOf };
  },
});

export type CheckResult = {
  user: string;
  role: string;
  decision: Decision | null;
  error?: { code: "unknown_user" | "unknown_role"; message: string };
};

/**
 * Decides many (user, role) pairs in one query, and logs every answer (who
 * asked, about whom, which role, the result) before returning it. Decisions
 * are made as of the moment the facts were read, or as of `at` when given.
 */
export async function checkAccess(
  db: Executor,
  clientId: string | null,
  pairs: { user: string; role: string }[],
  at?: Date,
): Promise<CheckResult[]> {
  const { loaded, asOf: now } = at
    ? { loaded: await loadFactsFor(db, pairs, { asOf: at }), asOf: at }
    : await sharedFactsFor(db, pairs);
  const { resolved, facts } = loaded;
  const results: CheckResult[] = pairs.map(({ user, role: roleId }) => {
    const role = accessRole(roleId);
    if (!role)
      return {
        user,
        role: roleId,
        decision: null,
        error: { code: "unknown_role", message: `No data-access role "${roleId}".` },
      };
    const personId = resolved.get(user.toLowerCase());
    if (!personId)
      return { user, role: roleId, decision: null, error: { code: "unknown_user", message: `No person "${user}".` } };
    return { user, role: roleId, decision: decisionFor(facts, personId, role, now) };
  });
  await logDecisions(
    db,
    results
      .filter((r) => r.decision)
      .map((r) => ({
        at: now,
        clientId,
        personId: resolved.get(r.user.toLowerCase()) ?? null,
        subject: r.user.slice(0, 320),
        roleId: r.role,
        allow: r.decision!.allow,
        reasons: r.decision!.reasons,
      })),
  );
  return results;
}

export function decisionJson(decision: Decision) {
  return { allow: decision.allow, reasons: decision.reasons, valid_until: decision.valid_until?.toISOString() ?? null };
}
