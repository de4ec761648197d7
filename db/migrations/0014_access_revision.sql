CREATE TABLE "access_revision" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"revision" bigint NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "access_revision_single_row" CHECK ("access_revision"."id")
);;--> statement-breakpoint
INSERT INTO "access_revision" ("id", "revision") VALUES (true, floor(extract(epoch from clock_timestamp()) * 1000)::bigint);--> statement-breakpoint
-- Advances the revision once per transaction, at commit (deferred), so the lock on its one row is the last a
-- transaction takes and is held only while it commits; later changes in the same transaction add nothing.
-- The next revision is the later of one more and the clock in milliseconds: numbers only ever grow.
CREATE FUNCTION "advance_access_revision"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('clearance.access_revision_advanced', true) IS DISTINCT FROM 'on' THEN
    UPDATE "access_revision"
       SET "revision" = greatest("revision" + 1, floor(extract(epoch from clock_timestamp()) * 1000)::bigint),
           "changed_at" = clock_timestamp();
    PERFORM set_config('clearance.access_revision_advanced', 'on', true);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "access_grants_revision" AFTER INSERT OR DELETE OR UPDATE OF "status", "decided_at", "ends_at", "revoked_at" ON "access_grants" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_access_revision"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "certifications_revision" AFTER INSERT OR UPDATE OR DELETE ON "certifications" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_access_revision"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "signatures_revision" AFTER INSERT OR UPDATE OR DELETE ON "signatures" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_access_revision"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "course_releases_revision" AFTER INSERT OR UPDATE OR DELETE ON "course_releases" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_access_revision"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "people_status_revision" AFTER UPDATE OF "status" ON "people" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "advance_access_revision"();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "people_deleted_revision" AFTER DELETE ON "people" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_access_revision"();
