import { sql } from "drizzle-orm";
import { date, index, integer, pgEnum, pgTable, text, timestamp, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";

export const appRoles = ["employee", "manager", "compliance_admin", "auditor"] as const;
export type AppRole = (typeof appRoles)[number];

export const personStatuses = ["active", "suspended", "departed"] as const;
export type PersonStatus = (typeof personStatuses)[number];
export const personStatus = pgEnum("person_status", personStatuses);

export const departments = pgTable("departments", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
});

export const people = pgTable(
  "people",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    departmentId: text("department_id").references(() => departments.id),
    title: text("title"),
    managerId: uuid("manager_id").references((): AnyPgColumn => people.id),
    hireDate: date("hire_date"),
    status: personStatus("status").notNull().default("active"),
    roles: text("roles").array().notNull().default(sql`ARRAY['employee']::text[]`),
    passwordHash: text("password_hash"),
    mfaSecretEnc: text("mfa_secret_enc"),
    mfaPendingSecretEnc: text("mfa_pending_secret_enc"),
    mfaEnabledAt: timestamp("mfa_enabled_at", { withTimezone: true }),
    mfaLastStep: integer("mfa_last_step"),
    departedAt: timestamp("departed_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("people_manager_idx").on(t.managerId), index("people_department_idx").on(t.departmentId)],
);
