CREATE TABLE "content_settings" (
	"kind" text PRIMARY KEY NOT NULL,
	"require_approval" boolean NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "content_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"item_id" text NOT NULL,
	"state" text NOT NULL,
	"files" jsonb NOT NULL,
	"version" text,
	"change" text,
	"note" text,
	"builtin_version" text,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	"submitted_by" uuid,
	"submitted_at" timestamp with time zone,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"published_by" uuid,
	"published_at" timestamp with time zone,
	CONSTRAINT "content_versions_version_unique" UNIQUE("kind","item_id","version"),
	CONSTRAINT "content_versions_published_complete" CHECK ("content_versions"."state" <> 'published' or ("content_versions"."version" is not null and "content_versions"."change" is not null and "content_versions"."published_at" is not null)),
	CONSTRAINT "content_versions_second_approver" CHECK ("content_versions"."approved_by" is null or "content_versions"."approved_by" <> "content_versions"."submitted_by")
);
--> statement-breakpoint
ALTER TABLE "content_settings" ADD CONSTRAINT "content_settings_updated_by_people_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_versions" ADD CONSTRAINT "content_versions_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_versions" ADD CONSTRAINT "content_versions_updated_by_people_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_versions" ADD CONSTRAINT "content_versions_submitted_by_people_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_versions" ADD CONSTRAINT "content_versions_approved_by_people_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_versions" ADD CONSTRAINT "content_versions_published_by_people_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "content_versions_open_unique" ON "content_versions" USING btree ("kind","item_id") WHERE state in ('draft', 'in_review');--> statement-breakpoint
CREATE INDEX "content_versions_published_idx" ON "content_versions" USING btree ("kind","item_id","published_at");--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "content_versions_revision" AFTER UPDATE OF "state" ON "content_versions" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW."state" = 'published' AND OLD."state" IS DISTINCT FROM NEW."state") EXECUTE FUNCTION "advance_access_revision"();
