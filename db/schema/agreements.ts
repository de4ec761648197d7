import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { people } from "./people";

export type SigningEvent = { at: string; label: string };

/**
 * One signed (or declined) agreement: the document id is the row id. The text
 * as signed, the consent given and every event are kept with the record; the
 * sealed PDF and any drawn signature are stored encrypted.
 */
export const signatures = pgTable(
  "signatures",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    agreementId: text("agreement_id").notNull(),
    agreementVersion: text("agreement_version").notNull(),
    agreementTitle: text("agreement_title").notNull(),
    audience: text("audience", { enum: ["employee", "partner"] }).notNull(),
    personId: uuid("person_id").references(() => people.id),
    partnerRequestId: uuid("partner_request_id"),
    outcome: text("outcome", { enum: ["signed", "declined"] }).notNull(),
    signerName: text("signer_name").notNull(),
    signerEmail: text("signer_email").notNull(),
    signerOrganisation: text("signer_organisation"),
    authMethod: text("auth_method").notNull(),
    ip: text("ip").notNull(),
    userAgent: text("user_agent").notNull(),
    consentVersion: text("consent_version"),
    consentText: text("consent_text"),
    textSha256: text("text_sha256").notNull(),
    bodySnapshot: text("body_snapshot").notNull(),
    events: jsonb("events").$type<SigningEvent[]>().notNull(),
    declineReason: text("decline_reason"),
    signedAt: timestamp("signed_at", { withTimezone: true }).notNull(),
    renewalDueAt: timestamp("renewal_due_at", { withTimezone: true }),
    pdfEnc: text("pdf_enc"),
    pdfSha256: text("pdf_sha256").unique(),
    signatureImageEnc: text("signature_image_enc"),
  },
  (t) => [
    index("signatures_person_idx").on(t.personId, t.agreementId),
    index("signatures_request_idx").on(t.partnerRequestId),
    // A signature is due for renewal some time after it was made: none counts forever.
    check(
      "signatures_signed_renewal_due",
      sql`${t.outcome} <> 'signed' or (${t.renewalDueAt} is not null and ${t.renewalDueAt} > ${t.signedAt})`,
    ),
  ],
);

/** A signing in progress: when the text was opened, consent given and the signer re-authenticated. */
export const signingCeremonies = pgTable(
  "signing_ceremonies",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    agreementId: text("agreement_id").notNull(),
    agreementVersion: text("agreement_version").notNull(),
    personId: uuid("person_id").references(() => people.id),
    partnerRequestId: uuid("partner_request_id"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    startedIp: text("started_ip").notNull(),
    consentAt: timestamp("consent_at", { withTimezone: true }),
    consentIp: text("consent_ip"),
    consentUserAgent: text("consent_user_agent"),
    failedReauths: integer("failed_reauths").notNull().default(0),
    /** Keyed hash of the code in the consent-check PDF (ESIGN §7001(c)(1)(C)(ii)); cleared once used. */
    consentCodeHash: text("consent_code_hash"),
    consentCodeFailures: integer("consent_code_failures").notNull().default(0),
    /** When the signer reached the end of the text (agreements that must be read in full before signing). */
    readAt: timestamp("read_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    index("signing_ceremonies_person_idx").on(t.personId, t.agreementId),
    index("signing_ceremonies_request_idx").on(t.partnerRequestId),
  ],
);

export const partners = pgTable("partners", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  contactName: text("contact_name").notNull(),
  contactEmail: text("contact_email").notNull(),
  requiredAgreements: text("required_agreements").array().notNull(),
  notes: text("notes"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const partnerRequestStatuses = ["pending", "signed", "declined", "void"] as const;

/** A signing link sent to a partner's contact: single use, 14 days, token stored hashed. */
export const partnerSigningRequests = pgTable(
  "partner_signing_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: uuid("partner_id")
      .notNull()
      .references(() => partners.id),
    agreementId: text("agreement_id").notNull(),
    agreementVersion: text("agreement_version").notNull(),
    contactName: text("contact_name").notNull(),
    contactEmail: text("contact_email").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    status: text("status", { enum: partnerRequestStatuses }).notNull().default("pending"),
    otpHash: text("otp_hash"),
    otpExpiresAt: timestamp("otp_expires_at", { withTimezone: true }),
    otpAttempts: integer("otp_attempts").notNull().default(0),
    otpVerifiedAt: timestamp("otp_verified_at", { withTimezone: true }),
    // Codes emailed for this link (capped), and the SHA-256 of the secret in the cookie of the browser that last confirmed one.
    otpSentCount: integer("otp_sent_count").notNull().default(0),
    browserKeyHash: text("browser_key_hash"),
    createdBy: uuid("created_by").references(() => people.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    signatureId: uuid("signature_id"),
  },
  (t) => [index("partner_requests_partner_idx").on(t.partnerId)],
);
