import "server-only";

import { sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { selectRows, toDate } from "@/db/rows";
import { people, signatures } from "@/db/schema";
import { agreementStanding, type SignatureFacts } from "@/lib/agreements/signing.rules";
import { fileUnder } from "@/lib/by-person";
import { getContent } from "@/lib/content";
import { inAudience } from "@/lib/content/audience";
import { withAccessRoles } from "@/lib/content/audience-facts";
import { addDays } from "@/lib/time";

import { itemKey, type MatrixFacts, type MatrixItem } from "./matrix.rules";

/** Days from the hire date (or from the first time it applies) to sign an employee agreement. */
export const AGREEMENT_DUE_DAYS = 30;

export function agreementItems(): MatrixItem[] {
  return getContent()
    .agreements.filter((a) => a.audience === "employee")
    .map((a) => ({ kind: "agreement" as const, id: a.id, title: a.title }));
}

/** What decides which agreements a person must sign, and by when. */
export type AgreementSigner = {
  id: string;
  departmentId: string | null;
  roles: string[];
  hireDate: string | null;
  createdAt: Date;
  email: string;
  accessRoles?: readonly string[];
};

type SignatureRow = {
  person_id: string;
  agreement_id: string;
  agreement_version: string;
  signed_at: string | Date;
  renewal_due_at: string | Date | null;
};

/**
 * Each person's newest signature per agreement: only that one decides where
 * they stand (agreementStanding). Read raw, as a team's worth of rows.
 */
async function newestSignatures(
  db: Executor,
  personIds: string[],
): Promise<(SignatureFacts & { personId: string; agreementId: string })[]> {
  const rows = await selectRows<SignatureRow>(
    db,
    sql`select distinct on (person_id, agreement_id) person_id, agreement_id, agreement_version, signed_at, renewal_due_at
      from signatures where ${inIds(signatures.personId, personIds)} and outcome = 'signed'
      order by person_id, agreement_id, signed_at desc`,
  );
  return rows.map((r) => ({
    personId: r.person_id,
    agreementId: r.agreement_id,
    agreementVersion: r.agreement_version,
    signedAt: toDate(r.signed_at),
    renewalDueAt: r.renewal_due_at === null ? null : toDate(r.renewal_due_at),
    outcome: "signed" as const,
  }));
}

/**
 * Agreements as matrix facts, set-based: a signature in force reads like a
 * current (or expiring) certification; one still to sign, or past renewal,
 * reads like an open assignment due 30 days after it first applied, or at renewal.
 * `known`: the people, when the caller has read them already.
 */
export async function addAgreementFacts(
  db: Executor,
  personIds: string[],
  facts: MatrixFacts,
  now: Date,
  known?: AgreementSigner[],
): Promise<void> {
  if (personIds.length === 0) return;
  const templates = getContent().agreements.filter((a) => a.audience === "employee");
  const [persons, rows] = await Promise.all([
    known ??
      db
        .select({
          id: people.id,
          departmentId: people.departmentId,
          roles: people.roles,
          hireDate: people.hireDate,
          createdAt: people.createdAt,
          email: people.email,
        })
        .from(people)
        .where(inIds(people.id, personIds)),
    newestSignatures(db, personIds),
  ]);
  await withAccessRoles(
    db,
    persons,
    templates.map((t) => t.signers),
    now,
  );
  // Signatures by person and agreement, grouped once: filtering all of them per person and agreement grows with the team squared.
  const signed = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.personId}|${row.agreementId}`;
    const list = signed.get(key);
    if (list) list.push(row);
    else signed.set(key, [row]);
  }
  // Shared by every cell that uses it: dates are built through a wrapped constructor on the server, and a team has thousands of cells.
  const noRenewal = addDays(now, 3650);
  const keys = new Map(templates.map((t) => [t.id, itemKey({ kind: "agreement", id: t.id })]));
  for (const person of persons) {
    // Due 30 days after it first applied: the hire date, or when the person joined Clearance if later.
    const hired = person.hireDate ? new Date(person.hireDate) : person.createdAt;
    const start = hired > person.createdAt ? hired : person.createdAt;
    for (const template of templates) {
      if (!inAudience(template.signers, person, now)) continue;
      const key = keys.get(template.id)!;
      const { standing, signature } = agreementStanding(template, signed.get(`${person.id}|${template.id}`) ?? [], now);
      if (standing === "signed" || standing === "expiring") {
        fileUnder(facts.certifications, person.id, key, {
          status: standing === "expiring" ? "expiring" : "current",
          expiresAt: signature?.renewalDueAt ?? noRenewal,
        });
      } else {
        const dueAt =
          standing === "renewal_due" && signature?.renewalDueAt
            ? signature.renewalDueAt
            : addDays(start, AGREEMENT_DUE_DAYS);
        fileUnder(facts.assignments, person.id, key, { dueAt });
      }
    }
  }
}
