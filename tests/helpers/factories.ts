import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";

import type { Db } from "@/db/client";
import { departments, people, signatures, type AppRole } from "@/db/schema";
import type { Viewer } from "@/lib/auth/viewer";
import { hashPassword } from "@/lib/crypto/password";

export const TEST_PASSWORD = "test-password-123";
let passwordHash: Promise<string> | undefined;

export async function createPerson(
  db: Db,
  overrides: {
    name?: string;
    email?: string;
    roles?: AppRole[];
    status?: "active" | "suspended" | "departed";
    managerId?: string;
    departmentId?: string;
  } = {},
) {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  await db.insert(departments).values({ id: "support", name: "Customer Support" }).onConflictDoNothing();
  const email = overrides.email ?? `person-${randomUUID().slice(0, 8)}@test.example`;
  const [row] = await db
    .insert(people)
    .values({
      email,
      name: overrides.name ?? "Test Person",
      departmentId: overrides.departmentId ?? "support",
      roles: Array.from(new Set<AppRole>(["employee", ...(overrides.roles ?? [])])),
      status: overrides.status ?? "active",
      managerId: overrides.managerId,
      passwordHash: await passwordHash,
    })
    .returning();
  return row;
}

export function viewerOf(person: {
  id: string;
  email: string;
  name: string;
  roles: string[];
  departmentId: string | null;
  mfaEnabledAt?: Date | null;
}): Viewer {
  const roles = person.roles as AppRole[];
  return {
    id: person.id,
    email: person.email,
    name: person.name,
    roles,
    departmentId: person.departmentId,
    mfaEnabled: Boolean(person.mfaEnabledAt),
    mfaRequired: roles.some((r) => r !== "employee"),
  };
}

export async function reload(db: Db, id: string) {
  const [row] = await db.select().from(people).where(eq(people.id, id));
  return row;
}

export const context = (actorId: string | null = null) => ({
  actorId,
  actorLabel: actorId ?? "system",
  ip: "127.0.0.1",
  userAgent: "vitest",
});

/** An employee signature row with placeholder evidence; the fields a test cares about go in `values`. */
export function employeeSignature(
  values: { agreementId: string; personId: string; signedAt: Date } & Partial<typeof signatures.$inferInsert>,
): typeof signatures.$inferInsert {
  return {
    agreementVersion: "1.0.0",
    agreementTitle: values.agreementId,
    audience: "employee",
    outcome: "signed",
    signerName: "x",
    signerEmail: "x@test.example",
    authMethod: "test",
    ip: "127.0.0.1",
    userAgent: "vitest",
    textSha256: "0".repeat(64),
    bodySnapshot: "text",
    events: [],
    ...values,
  };
}
