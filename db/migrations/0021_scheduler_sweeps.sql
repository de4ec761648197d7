CREATE TABLE "scheduler_sweeps" (
	"name" text PRIMARY KEY NOT NULL,
	"next_slice" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
