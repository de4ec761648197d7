ALTER TABLE "certifications" ADD COLUMN "pdf_enc" text;--> statement-breakpoint
ALTER TABLE "certifications" ADD COLUMN "pdf_sha256" text;--> statement-breakpoint
ALTER TABLE "certifications" ADD CONSTRAINT "certifications_pdf_sha256_unique" UNIQUE("pdf_sha256");