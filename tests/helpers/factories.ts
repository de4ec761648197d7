import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { departments, people, type AppRole } from "@/db/schema";
import type { Viewer } from "@/lib/auth/viewer";
import { hashPassword } from "@/lib/crypto/password";

export const TEST_PASSWORD = "test-password-123";
let passwordHash: Promise<string> | undefined;

export async function createPerson(db: Db, overrides: { name?: string; email?: string; roles?: AppRole[]; status?: "active" | "suspended" | "departed"; managerId?: string; departmentId?: string } = {}) {
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

export function viewerOf(person: { id: string; email: string; name: string; roles: string[]; departmentId: string | null; mfaEnabledAt?: Date | null }): Viewer {
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

export const context = (actorId: string | null = null) => ({ actorId, actorLabel: actorId ?? "system", ip: "127.0.0.1", userAgent: "vitest" });
