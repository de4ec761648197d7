ALTER TABLE "import_jobs" ADD COLUMN "apply_cursor" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "applied_created" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "applied_updated" integer DEFAULT 0 NOT NULL;