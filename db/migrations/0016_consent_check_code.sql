ALTER TABLE "signing_ceremonies" ADD COLUMN "consent_code_hash" text;--> statement-breakpoint
ALTER TABLE "signing_ceremonies" ADD COLUMN "consent_code_failures" integer DEFAULT 0 NOT NULL;