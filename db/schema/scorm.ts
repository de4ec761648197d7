import { integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { people } from "./people";
import { quizAttempts } from "./training";

/**
 * An uploaded SCORM package, named by the SHA-256 of its ZIP: the same file
 * uploaded twice is one package, and a course version names the exact bytes
 * it plays. Packages are never changed; a new upload is a new package.
 */
export const scormPackages = pgTable("scorm_packages", {
  sha256: text("sha256").primaryKey(),
  /** "1.2", "2004 3rd Edition" or "2004 4th Edition". */
  version: text("version").notNull(),
  title: text("title").notNull(),
  /** The parsed manifest (lib/scorm/manifest.ts): the SCOs to play and their rules. */
  manifest: jsonb("manifest").notNull(),
  fileCount: integer("file_count").notNull(),
  bytes: integer("bytes").notNull(),
  uploadedBy: uuid("uploaded_by").references(() => people.id),
  uploadedAt: timestamp("uploaded_at", { withTimezone: true }).notNull(),
});

/** Every file of a package, base64, served under /scorm/<sha256>/<path>. */
export const scormPackageFiles = pgTable(
  "scorm_package_files",
  {
    packageSha256: text("package_sha256")
      .notNull()
      .references(() => scormPackages.sha256),
    path: text("path").notNull(),
    contentType: text("content_type").notNull(),
    content: text("content").notNull(),
  },
  (t) => [primaryKey({ columns: [t.packageSha256, t.path] })],
);

/**
 * A SCO's run-time data (`cmi`) in one run of a package, as last committed:
 * flattened element names and their values. It is what a learner resumes
 * from, on any device. `totalSeconds` adds up the sessions ended so far.
 */
export const scormScoData = pgTable(
  "scorm_sco_data",
  {
    attemptId: uuid("attempt_id")
      .notNull()
      .references(() => quizAttempts.id, { onDelete: "cascade" }),
    sco: text("sco").notNull(),
    cmi: jsonb("cmi").notNull(),
    totalSeconds: integer("total_seconds").notNull().default(0),
    commits: integer("commits").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.attemptId, t.sco] })],
);
