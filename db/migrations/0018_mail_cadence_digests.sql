CREATE TABLE "digest_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"key" text NOT NULL,
	"item" jsonb NOT NULL,
	"reason" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"digest_key" text,
	"dropped_at" timestamp with time zone,
	CONSTRAINT "digest_items_key_unique" UNIQUE("key")
);
--> statement-breakpoint
ALTER TABLE "people" ALTER COLUMN "reminder_digest" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "people" ALTER COLUMN "reminder_digest" DROP NOT NULL;--> statement-breakpoint
UPDATE "people" SET "reminder_digest" = NULL WHERE "reminder_digest" = 'each';--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "notifications_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "organisation_settings" ADD COLUMN "email_cadence" text DEFAULT 'each' NOT NULL;--> statement-breakpoint
ALTER TABLE "digest_items" ADD CONSTRAINT "digest_items_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "digest_items_pending_idx" ON "digest_items" USING btree ("person_id") WHERE "digest_items"."digest_key" is null and "digest_items"."dropped_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_person_created_idx" ON "outbox" USING btree ("person_id","created_at");