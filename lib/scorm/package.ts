import { readZip, ZipReadError } from "@/lib/evidence/zip-reader";

import { ManifestError, parseManifest, type ScormManifest } from "./manifest";

/**
 * A SCORM package (a ZIP with imsmanifest.xml at its root) read and checked
 * whole before anything of it is stored or served: its size as declared, every
 * entry's path, the manifest, and that every file an item launches is in it.
 */

export type ScormPackage = {
  manifest: ScormManifest;
  /** Every file of the package by its path, folders left out. */
  files: Map<string, Buffer>;
  /** Files the manifest lists that the package lacks (launch files are never missing: that is refused). */
  missing: string[];
};

export type PackageCode =
  "package_unreadable" | "package_too_large" | "unsafe_path" | "manifest_missing" | "missing_file";

export class PackageError extends Error {
  constructor(
    readonly code: PackageCode | ManifestError["code"],
    message: string,
  ) {
    super(message);
    this.name = "PackageError";
  }
}

const MAX_ENTRIES = 20_000;

/** A ZIP entry's name that stays inside the package as written: relative, "/"-separated, no "." or ".." parts, no drive or control characters. */
export function safeEntryPath(name: string): boolean {
  if (!name || name.length > 1000 || /[\\:\u0000-\u001f]/.test(name) || name.startsWith("/")) return false;
  return name.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}
const MB = 1_000_000;

/** Reads and checks a package; `maxBytes` is its largest unpacked size (SCORM_MAX_PACKAGE_MB). */
export function readScormPackage(archive: Buffer, { maxBytes }: { maxBytes: number }): ScormPackage {
  if (archive.length > maxBytes)
    throw new PackageError("package_too_large", `The package is larger than ${Math.round(maxBytes / MB)} MB.`);
  let entries;
  try {
    entries = readZip(archive, { maxEntries: MAX_ENTRIES, maxBytes });
  } catch (error) {
    if (!(error instanceof ZipReadError)) throw error;
    const tooLarge = /unpacks to more than|entries; at most/.test(error.message);
    throw new PackageError(
      tooLarge ? "package_too_large" : "package_unreadable",
      tooLarge ? error.message : `The file is not a ZIP that can be read: ${error.message}`,
    );
  }
  const files = new Map<string, Buffer>();
  for (const entry of entries) {
    if (entry.path.endsWith("/") && entry.content.length === 0) continue;
    // Zip-slip: an entry must name a place inside the package, written as it will be stored.
    if (!safeEntryPath(entry.path))
      throw new PackageError(
        "unsafe_path",
        `The package holds "${entry.path.slice(0, 200)}", a path outside the package or written unsafely: nothing was imported.`,
      );
    files.set(entry.path, entry.content);
  }
  const manifestFile = files.get("imsmanifest.xml");
  if (!manifestFile) {
    const nested = [...files.keys()].find((p) => p.endsWith("/imsmanifest.xml"));
    throw new PackageError(
      "manifest_missing",
      nested
        ? `imsmanifest.xml is in "${nested.slice(0, -"imsmanifest.xml".length)}", not at the root: zip the contents of that folder, not the folder.`
        : "The package has no imsmanifest.xml: is it a SCORM package?",
    );
  }
  let manifest: ScormManifest;
  try {
    manifest = parseManifest(manifestFile.toString("utf8"));
  } catch (error) {
    if (error instanceof ManifestError) throw new PackageError(error.code, error.message);
    throw error;
  }
  const absentLaunch = [...new Set(manifest.launchable.map((i) => i.resource!.href))].filter((f) => !files.has(f));
  if (absentLaunch.length)
    throw new PackageError(
      "missing_file",
      `The manifest launches ${absentLaunch
        .slice(0, 5)
        .map((f) => `"${f}"`)
        .join(
          ", ",
        )}${absentLaunch.length > 5 ? ` and ${absentLaunch.length - 5} more` : ""}, which the package does not hold.`,
    );
  return { manifest, files, missing: manifest.files.filter((f) => !files.has(f)) };
}
