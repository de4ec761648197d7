ALTER TABLE "certifications" ADD COLUMN "attempt_passed" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "quiz_attempts" ADD CONSTRAINT "quiz_attempts_certifiable_unique" UNIQUE("id","person_id","course_id","passed");--> statement-breakpoint
ALTER TABLE "certifications" ADD CONSTRAINT "certifications_passed_attempt_fk" FOREIGN KEY ("attempt_id","person_id","course_id","attempt_passed") REFERENCES "public"."quiz_attempts"("id","person_id","course_id","passed") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certifications" ADD CONSTRAINT "certifications_attempt_passed" CHECK ("certifications"."attempt_passed");--> statement-breakpoint
ALTER TABLE "signatures" ADD CONSTRAINT "signatures_signed_renewal_due" CHECK ("signatures"."outcome" <> 'signed' or ("signatures"."renewal_due_at" is not null and "signatures"."renewal_due_at" > "signatures"."signed_at"));
