import "server-only";

import { createHash } from "node:crypto";

import { and, eq } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { scormPackageFiles, scormPackages } from "@/db/schema";
import { env } from "@/lib/env";

import type { ScormManifest } from "./manifest";
import { readScormPackage } from "./package";

/**
 * Uploaded SCORM packages, kept in the database beside the content that
 * names them, so every app instance serves the same bytes and a backup holds
 * them. A package is named by its ZIP's SHA-256 and never changes.
 */

export type StoredPackage = {
  sha256: string;
  version: ScormManifest["version"];
  title: string;
  manifest: ScormManifest;
  fileCount: number;
  bytes: number;
};

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  xml: "application/xml",
  xsd: "application/xml",
  txt: "text/plain; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  wav: "audio/wav",
  ogg: "audio/ogg",
  mp4: "video/mp4",
  webm: "video/webm",
  vtt: "text/vtt; charset=utf-8",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  pdf: "application/pdf",
  wasm: "application/wasm",
};

/** The Content-Type a package file is served with, by its extension; anything unknown is served as bytes to download, never sniffed. */
export function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return TYPES[ext] ?? "application/octet-stream";
}

export function maxPackageBytes(): number {
  return env().SCORM_MAX_PACKAGE_MB * 1_000_000;
}

/**
 * Reads, checks and keeps a package (refusing it with a PackageError before
 * anything is written). Uploading the same ZIP again keeps the one already
 * stored.
 */
export async function storePackage(
  db: Executor,
  archive: Buffer,
  uploadedBy: string | null,
  now = new Date(),
): Promise<StoredPackage> {
  const pkg = readScormPackage(archive, { maxBytes: maxPackageBytes() });
  const sha256 = createHash("sha256").update(archive).digest("hex");
  const stored: StoredPackage = {
    sha256,
    version: pkg.manifest.version,
    title: pkg.manifest.title,
    manifest: pkg.manifest,
    fileCount: pkg.files.size,
    bytes: [...pkg.files.values()].reduce((sum, b) => sum + b.length, 0),
  };
  const known = await findPackage(db, sha256);
  if (known) return known;
  await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(scormPackages)
      .values({ ...stored, uploadedBy, uploadedAt: now })
      .onConflictDoNothing()
      .returning({ sha256: scormPackages.sha256 });
    // Someone uploaded the same ZIP at the same moment: theirs holds the files.
    if (!inserted.length) return;
    const rows = [...pkg.files].map(([path, bytes]) => ({
      packageSha256: sha256,
      path,
      contentType: contentTypeOf(path),
      content: bytes.toString("base64"),
    }));
    // Statements of at most ~8 MB or 500 files: one package can be hundreds of megabytes.
    let batch: typeof rows = [];
    let size = 0;
    for (const row of rows) {
      if (batch.length && (size + row.content.length > 8_000_000 || batch.length >= 500)) {
        await tx.insert(scormPackageFiles).values(batch);
        batch = [];
        size = 0;
      }
      batch.push(row);
      size += row.content.length;
    }
    if (batch.length) await tx.insert(scormPackageFiles).values(batch);
  });
  return stored;
}

export async function findPackage(db: Executor, sha256: string): Promise<StoredPackage | null> {
  const [row] = await db
    .select({
      sha256: scormPackages.sha256,
      version: scormPackages.version,
      title: scormPackages.title,
      manifest: scormPackages.manifest,
      fileCount: scormPackages.fileCount,
      bytes: scormPackages.bytes,
    })
    .from(scormPackages)
    .where(eq(scormPackages.sha256, sha256));
  return row
    ? { ...row, version: row.version as StoredPackage["version"], manifest: row.manifest as ScormManifest }
    : null;
}

export async function packageFile(
  db: Executor,
  sha256: string,
  path: string,
): Promise<{ contentType: string; bytes: Buffer } | null> {
  const [row] = await db
    .select({ contentType: scormPackageFiles.contentType, content: scormPackageFiles.content })
    .from(scormPackageFiles)
    .where(and(eq(scormPackageFiles.packageSha256, sha256), eq(scormPackageFiles.path, path)));
  return row ? { contentType: row.contentType, bytes: Buffer.from(row.content, "base64") } : null;
}

/** Every file of a package, by path: to export it again as it was uploaded. */
export async function packageFiles(db: Executor, sha256: string): Promise<{ name: string; data: Buffer }[]> {
  const rows = await db
    .select({ path: scormPackageFiles.path, content: scormPackageFiles.content })
    .from(scormPackageFiles)
    .where(eq(scormPackageFiles.packageSha256, sha256))
    .orderBy(scormPackageFiles.path);
  return rows.map((r) => ({ name: r.path, data: Buffer.from(r.content, "base64") }));
}
