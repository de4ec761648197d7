CREATE TABLE "evidence_pack_parts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pack_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"data_enc" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evidence_pack_parts" ADD CONSTRAINT "evidence_pack_parts_pack_id_evidence_packs_id_fk" FOREIGN KEY ("pack_id") REFERENCES "public"."evidence_packs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_pack_parts_place" ON "evidence_pack_parts" USING btree ("pack_id","seq");