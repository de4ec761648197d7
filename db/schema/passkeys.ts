import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { sessions } from "./auth";
import { people } from "./people";

/**
 * A person's WebAuthn passkeys. The public key is not a secret; the counter
 * is raised by one conditional update per use, so a cloned authenticator
 * replaying an old counter is refused.
 */
export const passkeys = pgTable(
  "passkeys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    /** The credential id, base64url, as the browser reports it. */
    credentialId: text("credential_id").notNull().unique(),
    /** COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull().default(0),
    transports: text("transports")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    backedUp: boolean("backed_up").notNull().default(false),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [
    index("passkeys_person_idx").on(t.personId),
    check("passkeys_counter_check", sql`${t.counter} >= 0`),
    check("passkeys_name_check", sql`char_length(${t.name}) between 1 and 60`),
  ],
);

/**
 * One WebAuthn ceremony's challenge, kept server-side until it is used once or
 * expires. A registration is bound to the session that asked for it; a
 * sign-in to the browser that asked, by the hash of a random value in an
 * HttpOnly cookie.
 */
export const webauthnChallenges = pgTable(
  "webauthn_challenges",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    purpose: text("purpose", { enum: ["register", "sign_in"] }).notNull(),
    challenge: text("challenge").notNull().unique(),
    personId: uuid("person_id").references(() => people.id, { onDelete: "cascade" }),
    sessionId: uuid("session_id").references(() => sessions.id, { onDelete: "cascade" }),
    browserHash: text("browser_hash"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [
    index("webauthn_challenges_expires_idx").on(t.expiresAt),
    check(
      "webauthn_challenges_bound_check",
      sql`(${t.purpose} = 'register' and ${t.sessionId} is not null and ${t.personId} is not null) or (${t.purpose} = 'sign_in' and ${t.browserHash} is not null)`,
    ),
  ],
);
