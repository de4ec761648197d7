CREATE TABLE "evidence_packs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_by" uuid,
	"created_by_label" text NOT NULL,
	"period_from" text NOT NULL,
	"period_to" text NOT NULL,
	"department_id" text,
	"overdue_days" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"phase" text,
	"rows_done" integer DEFAULT 0 NOT NULL,
	"rows_total" integer DEFAULT 0 NOT NULL,
	"error" text,
	"claim_token" uuid,
	"heartbeat_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"zip_enc" text,
	"zip_bytes" integer,
	"zip_sha256" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "evidence_packs" ADD CONSTRAINT "evidence_packs_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evidence_packs_status_idx" ON "evidence_packs" USING btree ("status","heartbeat_at");--> statement-breakpoint
CREATE INDEX "evidence_packs_created_idx" ON "evidence_packs" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_packs_pending_once" ON "evidence_packs" USING btree ("created_by","period_from","period_to",coalesce("department_id", ''),"overdue_days") WHERE status in ('queued', 'running');