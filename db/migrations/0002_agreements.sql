CREATE TABLE "partner_signing_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_id" uuid NOT NULL,
	"agreement_id" text NOT NULL,
	"agreement_version" text NOT NULL,
	"contact_name" text NOT NULL,
	"contact_email" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"otp_hash" text,
	"otp_expires_at" timestamp with time zone,
	"otp_attempts" integer DEFAULT 0 NOT NULL,
	"otp_verified_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"signature_id" uuid,
	CONSTRAINT "partner_signing_requests_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "partners" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"contact_name" text NOT NULL,
	"contact_email" text NOT NULL,
	"required_agreements" text[] NOT NULL,
	"notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signatures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" text NOT NULL,
	"agreement_version" text NOT NULL,
	"agreement_title" text NOT NULL,
	"audience" text NOT NULL,
	"person_id" uuid,
	"partner_request_id" uuid,
	"outcome" text NOT NULL,
	"signer_name" text NOT NULL,
	"signer_email" text NOT NULL,
	"signer_organisation" text,
	"auth_method" text NOT NULL,
	"ip" text NOT NULL,
	"user_agent" text NOT NULL,
	"consent_version" text,
	"consent_text" text,
	"text_sha256" text NOT NULL,
	"body_snapshot" text NOT NULL,
	"events" jsonb NOT NULL,
	"decline_reason" text,
	"signed_at" timestamp with time zone NOT NULL,
	"renewal_due_at" timestamp with time zone,
	"pdf_enc" text,
	"pdf_sha256" text,
	"signature_image_enc" text,
	CONSTRAINT "signatures_pdf_sha256_unique" UNIQUE("pdf_sha256")
);
--> statement-breakpoint
CREATE TABLE "signing_ceremonies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" text NOT NULL,
	"agreement_version" text NOT NULL,
	"person_id" uuid,
	"partner_request_id" uuid,
	"started_at" timestamp with time zone NOT NULL,
	"started_ip" text NOT NULL,
	"consent_at" timestamp with time zone,
	"consent_ip" text,
	"consent_user_agent" text,
	"failed_reauths" integer DEFAULT 0 NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "partner_signing_requests" ADD CONSTRAINT "partner_signing_requests_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_signing_requests" ADD CONSTRAINT "partner_signing_requests_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signatures" ADD CONSTRAINT "signatures_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_ceremonies" ADD CONSTRAINT "signing_ceremonies_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "partner_requests_partner_idx" ON "partner_signing_requests" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "signatures_person_idx" ON "signatures" USING btree ("person_id","agreement_id");--> statement-breakpoint
CREATE INDEX "signatures_request_idx" ON "signatures" USING btree ("partner_request_id");--> statement-breakpoint
CREATE INDEX "signing_ceremonies_person_idx" ON "signing_ceremonies" USING btree ("person_id","agreement_id");--> statement-breakpoint
CREATE INDEX "signing_ceremonies_request_idx" ON "signing_ceremonies" USING btree ("partner_request_id");