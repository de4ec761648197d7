CREATE TABLE "audit_checkpoints" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"trigger" text NOT NULL,
	"slot" text,
	"requested_by" uuid,
	"head_id" bigint NOT NULL,
	"head_hash" text NOT NULL,
	"event_count" bigint NOT NULL,
	"document" text NOT NULL,
	CONSTRAINT "audit_checkpoints_slot_unique" UNIQUE("slot")
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "key_id" text;--> statement-breakpoint
CREATE INDEX "audit_checkpoints_created_idx" ON "audit_checkpoints" USING btree ("created_at");