import { eq } from "drizzle-orm";

import type { Db } from "@/db/client";
import { accessGrants } from "@/db/schema";
import { currentRevision } from "@/lib/access/changes";

/**
 * The access decision across instances (npm run test:cluster): each instance
 * keeps the facts of the pairs it was asked about (lib/access/facts-cache.ts),
 * so a change committed by anyone else must still reach every answer at once.
 * A person is asked about on both instances (each now holds their facts); a
 * grant is approved, then revoked, by this process, which is neither
 * instance; straight after each commit, 20 checks at once on each instance
 * must all answer from the new facts, at the new revision or later.
 */

type Answer = { status: number; allow?: boolean; reasons?: string[]; revision?: number };

async function ask(origin: string, token: string, email: string, role: string): Promise<Answer> {
  const response = await fetch(`${origin}/api/v1/access/check?user=${encodeURIComponent(email)}&role=${role}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as Omit<Answer, "status">;
  return { status: response.status, ...body };
}

export async function checkAccessAcrossInstances(
  instances: { A: string; B: string },
  db: Db,
  person: { id: string; email: string },
  role: string,
  token: string,
  check: (name: string, ok: boolean, detail: string) => void,
): Promise<void> {
  const burst = async (expected: (a: Answer) => boolean, revision: number) => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => ask(i % 2 ? instances.B : instances.A, token, person.email, role)),
    );
    const wrong = answers.filter((a) => a.status !== 200 || !expected(a) || (a.revision ?? 0) < revision);
    return { answers: answers.length, wrong };
  };
  const hasReason = (reason: string) => (a: Answer) => Boolean(a.reasons?.includes(reason));
  const lacksReason = (reason: string) => (a: Answer) => !a.reasons?.includes(reason);

  const first = await burst(hasReason("no_grant"), 0);
  const [grant] = await db
    .insert(accessGrants)
    .values({
      personId: person.id,
      roleId: role,
      status: "approved",
      justification: "cluster run: a grant approved by another process",
      requestedAt: new Date(),
      decidedAt: new Date(),
    })
    .returning({ id: accessGrants.id });
  const granted = await burst(lacksReason("no_grant"), await currentRevision(db));
  await db
    .update(accessGrants)
    .set({ status: "revoked", revokedAt: new Date(), revokeReason: "cluster run" })
    .where(eq(accessGrants.id, grant.id));
  const revoked = await burst(hasReason("grant_revoked"), await currentRevision(db));
  const describe = (b: { answers: number; wrong: Answer[] }) =>
    `${b.answers - b.wrong.length}/${b.answers}${b.wrong.length ? ` (wrong: ${JSON.stringify(b.wrong.slice(0, 2))})` : ""}`;
  check(
    "access decisions across instances",
    first.wrong.length + granted.wrong.length + revoked.wrong.length === 0,
    `asked on A and B in turn, 40 at once each time: before any grant ${describe(first)} answered no_grant; straight after another process approved a grant ${describe(granted)} answered without no_grant, at its revision or later; straight after it revoked the grant ${describe(revoked)} answered grant_revoked`,
  );
}
