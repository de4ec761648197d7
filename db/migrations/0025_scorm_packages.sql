CREATE TABLE "scorm_package_files" (
	"package_sha256" text NOT NULL,
	"path" text NOT NULL,
	"content_type" text NOT NULL,
	"content" text NOT NULL,
	CONSTRAINT "scorm_package_files_package_sha256_path_pk" PRIMARY KEY("package_sha256","path")
);
--> statement-breakpoint
CREATE TABLE "scorm_packages" (
	"sha256" text PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"title" text NOT NULL,
	"manifest" jsonb NOT NULL,
	"file_count" integer NOT NULL,
	"bytes" integer NOT NULL,
	"uploaded_by" uuid,
	"uploaded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scorm_sco_data" (
	"attempt_id" uuid NOT NULL,
	"sco" text NOT NULL,
	"cmi" jsonb NOT NULL,
	"total_seconds" integer DEFAULT 0 NOT NULL,
	"commits" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "scorm_sco_data_attempt_id_sco_pk" PRIMARY KEY("attempt_id","sco")
);
--> statement-breakpoint
ALTER TABLE "quiz_attempts" ADD COLUMN "kind" text DEFAULT 'quiz' NOT NULL;--> statement-breakpoint
ALTER TABLE "scorm_package_files" ADD CONSTRAINT "scorm_package_files_package_sha256_scorm_packages_sha256_fk" FOREIGN KEY ("package_sha256") REFERENCES "public"."scorm_packages"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scorm_packages" ADD CONSTRAINT "scorm_packages_uploaded_by_people_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scorm_sco_data" ADD CONSTRAINT "scorm_sco_data_attempt_id_quiz_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."quiz_attempts"("id") ON DELETE cascade ON UPDATE no action;