ALTER TABLE "partner_signing_requests" ADD COLUMN "otp_sent_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "partner_signing_requests" ADD COLUMN "browser_key_hash" text;