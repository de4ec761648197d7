CREATE TABLE "lrs_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"connection_id" uuid NOT NULL,
	"endpoint" text NOT NULL,
	"username" text,
	"secret_enc" text,
	"actor" text DEFAULT 'account' NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "lrs_settings_one_row" CHECK ("lrs_settings"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "lrs_settings" ADD CONSTRAINT "lrs_settings_updated_by_people_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;