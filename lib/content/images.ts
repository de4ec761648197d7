/**
 * Images in course lessons: files `courses/<id>/images/<name>` shown in a
 * lesson with `![alt](images/<name>)`. Their kind is read from their first
 * bytes, and must be the one their name says, so what is served is what it
 * claims to be.
 */

export const MAX_LESSON_IMAGE_BYTES = 1_000_000;
export const MAX_LESSON_IMAGES = 10;

/** An image file name as kept in a course: lower-case, kebab-case, with its kind's extension. */
export const IMAGE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*\.(?:png|jpg|jpeg|webp)$/;

export type ImageType = "image/png" | "image/jpeg" | "image/webp";

const BY_EXTENSION: Record<string, ImageType> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp" };

/** Whether a path (relative to content/, or absolute under it) is a lesson image's: binary, stored as base64. */
export const isImagePath = (file: string) => /(?:^|\/)courses\/[^/]+\/images\/[^/]+\.(?:png|jpg|jpeg|webp)$/.test(file);

/** The type an image's name declares (by its extension). */
export function declaredType(name: string): ImageType | null {
  return BY_EXTENSION[name.slice(name.lastIndexOf(".") + 1)] ?? null;
}

/** The type an image's bytes are (PNG, JPEG or WebP by their magic numbers), or null. */
export function sniffImage(bytes: Uint8Array): ImageType | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 12 && b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP") return "image/webp";
  return null;
}

/** A lesson image's name made from an uploaded file's: lower-case, kebab-case, its extension kept (jpeg stays jpeg). */
export function imageNameFrom(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  const ext = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : "";
  const stem = (dot > 0 ? fileName.slice(0, dot) : fileName)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return `${stem || "image"}.${ext}`;
}

/** The Markdown that shows an image in a lesson. */
export const imageMarkdown = (name: string) => `![Describe the image](images/${name})`;

/** The URL a course's image is served at. */
export const imageUrl = (courseId: string, name: string) => `/courses/${courseId}/images/${name}`;
