import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";

import { people } from "./people";

export const identityProviderKinds = ["oidc", "saml"] as const;
export type IdentityProviderKind = (typeof identityProviderKinds)[number];

/**
 * An organisation's identity provider, whatever its protocol. `settings` holds
 * the protocol's non-secret configuration (validated per kind by
 * lib/identity/providers/settings.ts); the one secret (an OIDC client secret)
 * is encrypted with the data key, bound to the row's id.
 */
export const identityProviders = pgTable(
  "identity_providers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind", { enum: identityProviderKinds }).notNull(),
    /** Names the provider in its URLs: /api/sso/<kind>/<slug>/… */
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    enabled: boolean("enabled").notNull().default(false),
    settings: jsonb("settings").notNull().default({}),
    secretEnc: text("secret_enc"),
    /** E-mail domains whose people may sign in here (lower case); empty lets none in. */
    allowedDomains: text("allowed_domains")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Whether a verified address with no person behind it creates one (an employee). */
    jitProvisioning: boolean("jit_provisioning").notNull().default(false),
    /** Whether MFA the provider reports counts as the second factor for privileged roles. */
    acceptIdpMfa: boolean("accept_idp_mfa").notNull().default(false),
    departmentClaim: text("department_claim"),
    managerClaim: text("manager_claim"),
    titleClaim: text("title_claim"),
    createdBy: uuid("created_by").references(() => people.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    check("identity_providers_slug_check", sql`${t.slug} ~ '^[a-z0-9][a-z0-9-]{0,39}$'`),
    check("identity_providers_name_check", sql`char_length(${t.name}) between 1 and 60`),
  ],
);

/**
 * A person as one provider knows them: its stable subject (OIDC `sub`, SAML
 * NameID). Once linked, the subject decides who signs in, so an address
 * changed at the provider cannot reach another person's account.
 */
export const ssoIdentities = pgTable(
  "sso_identities",
  {
    providerId: uuid("provider_id")
      .notNull()
      .references(() => identityProviders.id, { onDelete: "cascade" }),
    subject: text("subject").notNull(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    lastSignedInAt: timestamp("last_signed_in_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.providerId, t.subject] }),
    unique("sso_identities_provider_person").on(t.providerId, t.personId),
    index("sso_identities_person_idx").on(t.personId),
  ],
);

/**
 * Messages a provider's answer may carry only once: SAML assertion ids, OIDC
 * states and nonces. Taken by an insert on the primary key, so of any number
 * of answers sent together exactly one gets through.
 */
export const ssoReplays = pgTable(
  "sso_replays",
  {
    providerId: uuid("provider_id")
      .notNull()
      .references(() => identityProviders.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.providerId, t.messageId] }), index("sso_replays_expires_idx").on(t.expiresAt)],
);

/**
 * A sign-in the provider vouched for, waiting for this app's session: a
 * short-lived token (stored hashed) that the browser which came back from
 * the provider (the hash of its HttpOnly cookie) exchanges once.
 */
export const ssoHandoffs = pgTable(
  "sso_handoffs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull().unique(),
    browserHash: text("browser_hash").notNull(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    providerId: uuid("provider_id")
      .notNull()
      .references(() => identityProviders.id, { onDelete: "cascade" }),
    method: text("method", { enum: ["sso_oidc", "sso_saml"] }).notNull(),
    /** The provider reported MFA and this provider is trusted for it. */
    mfaByIdp: boolean("mfa_by_idp").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [index("sso_handoffs_expires_idx").on(t.expiresAt)],
);

export const ssoOnlyPolicies = ["off", "privileged", "everyone"] as const;
export type SsoOnlyPolicy = (typeof ssoOnlyPolicies)[number];

/** Organisation-wide settings changed in the app: one row. */
export const organisationSettings = pgTable(
  "organisation_settings",
  {
    id: integer("id").primaryKey().default(1),
    /** Who must sign in through an identity provider: nobody, privileged roles, or everyone. */
    ssoOnly: text("sso_only", { enum: ssoOnlyPolicies }).notNull().default("off"),
    /** Default cadence of routine notifications; each person may choose another (lib/notify/cadence.ts). */
    emailCadence: text("email_cadence", { enum: ["each", "daily", "weekly"] })
      .notNull()
      .default("each"),
    updatedBy: uuid("updated_by").references(() => people.id),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [check("organisation_settings_one_row", sql`${t.id} = 1`)],
);
