import "server-only";

import { and, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";

import { getDb } from "@/db/client";
import { correctionRequests, people } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { DomainError, FieldError, NotFoundError } from "@/lib/errors";
import { PersonFieldError, personFormSchema, updatePersonIn } from "@/lib/people/person-editor";

import type { CORRECTABLE_FIELDS } from "./preferences";

/** The person-form field each correctable field changes; "other" names none, so it is corrected by hand. */
export const APPLICABLE_FIELDS = {
  name: "name",
  department: "departmentId",
  title: "title",
  manager: "managerEmail",
} as const satisfies Partial<Record<keyof typeof CORRECTABLE_FIELDS, string>>;
export type ApplicableField = keyof typeof APPLICABLE_FIELDS;

export const isApplicable = (field: string): field is ApplicableField => Object.hasOwn(APPLICABLE_FIELDS, field);

/** A person-form message about the corrected field, shown beside the one field the reviewer edits. */
function valueError(fieldErrors: Record<string, string[] | undefined>, key: string): FieldError {
  const message = fieldErrors[key]?.[0] ?? Object.values(fieldErrors).flat()[0] ?? "This value cannot be saved.";
  return new FieldError("value", "invalid_value", message);
}

/**
 * Changes the person's record to the reviewed value and resolves the request,
 * in one transaction: the change goes through the person form's rules and is
 * audited as `person.updated`, the request as `privacy.correction_resolved`.
 * A value the form would refuse changes nothing and leaves the request open.
 */
export async function applyCorrection(
  viewer: Viewer,
  context: AuditContext,
  input: { id: string; value: string; resolution: string },
  now = new Date(),
): Promise<{ changed: string[] }> {
  assertMay(viewer, "administer");
  const db = await getDb();
  return db.transaction(async (tx) => {
    // Claiming the request first makes simultaneous applies queue on its row: only the first finds it open.
    const [request] = await tx
      .update(correctionRequests)
      .set({ status: "resolved", resolution: input.resolution || null, resolvedBy: viewer.id, resolvedAt: now })
      .where(and(eq(correctionRequests.id, input.id), eq(correctionRequests.status, "open")))
      .returning({ personId: correctionRequests.personId, field: correctionRequests.field });
    if (!request) throw new NotFoundError("That request is not open.");
    if (request.personId === viewer.id)
      throw new DomainError("own_request", "Another compliance admin must resolve your own correction request.");
    if (!isApplicable(request.field))
      throw new DomainError(
        "not_applicable",
        "This request names no field of the record: edit the record on the People page, then mark it corrected.",
      );
    const manager = alias(people, "manager");
    const [current] = await tx
      .select({
        email: people.email,
        name: people.name,
        departmentId: people.departmentId,
        title: people.title,
        managerEmail: manager.email,
        hireDate: people.hireDate,
        roles: people.roles,
      })
      .from(people)
      .leftJoin(manager, eq(manager.id, people.managerId))
      .where(eq(people.id, request.personId));
    if (!current) throw new NotFoundError("That person does not exist.");
    const key = APPLICABLE_FIELDS[request.field];
    const parsed = personFormSchema.safeParse({ ...current, [key]: input.value });
    if (!parsed.success) throw valueError(z.flattenError(parsed.error).fieldErrors, key);
    let result: { changed: string[] };
    try {
      result = await updatePersonIn(tx, viewer, context, request.personId, parsed.data, now);
    } catch (error) {
      if (error instanceof PersonFieldError) throw valueError(error.fieldErrors, key);
      throw error;
    }
    await recordAudit(
      tx,
      context,
      {
        action: "privacy.correction_resolved",
        targetType: "person",
        targetId: request.personId,
        data: { requestId: input.id },
      },
      now,
    );
    return result;
  });
}
