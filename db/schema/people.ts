import { sql } from "drizzle-orm";
import {
  boolean,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";

export { appRoles, type AppRole } from "./app-roles";

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
    roles: text("roles")
      .array()
      .notNull()
      .default(sql`ARRAY['employee']::text[]`),
    passwordHash: text("password_hash"),
    mfaSecretEnc: text("mfa_secret_enc"),
    mfaPendingSecretEnc: text("mfa_pending_secret_enc"),
    mfaEnabledAt: timestamp("mfa_enabled_at", { withTimezone: true }),
    mfaLastStep: integer("mfa_last_step"),
    departedAt: timestamp("departed_at", { withTimezone: true }),
    // Preferences the person controls (My data): reminder digest, and whether managers see quiz scores.
    // No digest choice (null) follows the organisation's default cadence.
    reminderDigest: text("reminder_digest", { enum: ["each", "daily", "weekly"] }),
    /** When the person last opened their notifications: newer messages count as unread. */
    notificationsSeenAt: timestamp("notifications_seen_at", { withTimezone: true }),
    managerSeesScores: boolean("manager_sees_scores").notNull().default(true),
    anonymisedAt: timestamp("anonymised_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("people_manager_idx").on(t.managerId), index("people_department_idx").on(t.departmentId)],
);

/** Single-use set-password links for invited people (and password resets), stored hashed. */
export const passwordTokens = pgTable(
  "password_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
    tokenHash: text("token_hash").notNull().unique(),
    purpose: text("purpose", { enum: ["invitation", "reset"] }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [index("password_tokens_person_idx").on(t.personId)],
);

/** A person asks for their record to be corrected; compliance admins resolve it. */
export const correctionRequests = pgTable(
  "correction_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
    field: text("field").notNull(),
    requestedValue: text("requested_value").notNull(),
    note: text("note"),
    status: text("status", { enum: ["open", "resolved", "rejected"] })
      .notNull()
      .default("open"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    resolvedBy: uuid("resolved_by").references(() => people.id),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolution: text("resolution"),
  },
  (t) => [index("correction_requests_status_idx").on(t.status, t.createdAt)],
);
