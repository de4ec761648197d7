import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";

import { apiClients } from "./access";
import { departments, people } from "./people";

/**
 * What an identity provider knows of a person beyond the people row: its own
 * id for them, the user name it sent, the parts of their name and their
 * employee number, so SCIM answers give back what was written.
 */
export const scimIdentities = pgTable("scim_identities", {
  personId: uuid("person_id")
    .primaryKey()
    .references(() => people.id),
  userName: text("user_name").notNull().unique(),
  externalId: text("external_id").unique(),
  givenName: text("given_name"),
  familyName: text("family_name"),
  employeeNumber: text("employee_number"),
  clientId: uuid("client_id").references(() => apiClients.id),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});

/** A group as one SCIM client sent it; its name means something only through a mapping below. */
export const scimGroups = pgTable(
  "scim_groups",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clientId: uuid("client_id")
      .notNull()
      .references(() => apiClients.id),
    displayName: text("display_name").notNull(),
    externalId: text("external_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [unique("scim_groups_client_name").on(t.clientId, t.displayName)],
);

export const scimGroupMembers = pgTable(
  "scim_group_members",
  {
    groupId: uuid("group_id")
      .notNull()
      .references(() => scimGroups.id, { onDelete: "cascade" }),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.personId] }), index("scim_group_members_person_idx").on(t.personId)],
);

export const scimMappedRoles = ["manager", "compliance_admin", "auditor"] as const;
export type ScimMappedRole = (typeof scimMappedRoles)[number];

/**
 * Set by compliance admins (API clients page): members of the client's group
 * named `groupName` hold `role`, or belong to `departmentId`. A group with no
 * mapping changes nothing.
 */
export const scimGroupMappings = pgTable(
  "scim_group_mappings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clientId: uuid("client_id")
      .notNull()
      .references(() => apiClients.id),
    groupName: text("group_name").notNull(),
    role: text("role", { enum: scimMappedRoles }),
    departmentId: text("department_id").references(() => departments.id),
    createdBy: uuid("created_by").references(() => people.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    unique("scim_group_mappings_client_group").on(t.clientId, t.groupName),
    check("scim_group_mappings_one_target", sql`(${t.role} is null) <> (${t.departmentId} is null)`),
  ],
);
