CREATE TABLE "xapi_statements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"verb" text NOT NULL,
	"statement" jsonb NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_status_code" integer,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "xapi_statements_due_idx" ON "xapi_statements" USING btree ("status","next_attempt_at");