import "server-only";

import { and, asc, eq, gt, lt, sql, type SQL } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { people, signatures } from "@/db/schema";
import { majorOf } from "@/lib/certification/status.rules";
import { getAgreementTemplate, getContent } from "@/lib/content";

import { whoColumns, type Who } from "./exception-rows";
import type { EvidenceException, ExceptionScope } from "./exceptions";

/**
 * Active people whose newest signature of an agreement, at the end of the
 * period, is of an earlier major version than the one in force. The newest
 * signatures are found a page of people at a time; only the outdated ones'
 * ids and times are kept to put them in time order, and their details are
 * read again a page at a time in that order.
 */
export async function* outdatedAgreements(
  db: Executor,
  scope: ExceptionScope,
  size: number,
  inScope: SQL | undefined,
  finding: (who: Who, e: Omit<EvidenceException, "personId" | "name" | "email" | "department">) => EvidenceException,
): AsyncGenerator<EvidenceException> {
  const current = new Map(getContent().agreements.map((a) => [a.id, majorOf(a.version)]));
  if (current.size === 0) return;
  const outdated: { at: number; id: string }[] = [];
  let afterPerson: string | null = null;
  for (;;) {
    const population: { id: string }[] = await db
      .select({ id: people.id })
      .from(people)
      .where(and(eq(people.status, "active"), inScope, afterPerson ? gt(people.id, afterPerson) : undefined))
      .orderBy(asc(people.id))
      .limit(size);
    if (population.length === 0) break;
    afterPerson = population[population.length - 1].id;
    const newest = await db
      .selectDistinctOn([signatures.personId, signatures.agreementId], {
        id: signatures.id,
        agreementId: signatures.agreementId,
        agreementVersion: signatures.agreementVersion,
        signedAt: signatures.signedAt,
      })
      .from(signatures)
      .where(
        and(
          inIds(
            signatures.personId,
            population.map((p) => p.id),
          ),
          eq(signatures.outcome, "signed"),
          lt(signatures.signedAt, scope.to),
        ),
      )
      .orderBy(signatures.personId, signatures.agreementId, sql`${signatures.signedAt} desc`);
    for (const s of newest)
      if (current.has(s.agreementId) && majorOf(s.agreementVersion) < current.get(s.agreementId)!)
        outdated.push({ at: s.signedAt.getTime(), id: s.id });
    if (population.length < size) break;
  }
  outdated.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let start = 0; start < outdated.length; start += size) {
    const ids = outdated.slice(start, start + size).map((s) => s.id);
    const rows = await db
      .select({
        id: signatures.id,
        agreementId: signatures.agreementId,
        agreementVersion: signatures.agreementVersion,
        signedAt: signatures.signedAt,
        ...whoColumns,
      })
      .from(signatures)
      .innerJoin(people, eq(people.id, signatures.personId))
      .where(inIds(signatures.id, ids));
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) {
      const s = byId.get(id);
      if (!s) continue;
      const template = getAgreementTemplate(s.agreementId);
      yield finding(s, {
        kind: "agreement_outdated",
        at: s.signedAt,
        subject: template?.title ?? s.agreementId,
        detail: `Signed version ${s.agreementVersion}; version ${template?.version ?? "?"} is in force`,
        reference: s.id,
      });
    }
  }
}
