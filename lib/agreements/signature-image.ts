import { PDFDocument } from "pdf-lib";

import { DomainError } from "@/lib/errors";

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const MAX_SIGNATURE_IMAGE_BYTES = 300_000;

const unreadable = () =>
  new DomainError(
    "invalid_signature_image",
    "The drawn signature could not be read. Clear it and draw again, or sign with your typed name only.",
  );

/** A drawn signature arrives as a PNG data URL; anything else is refused. */
export async function decodeSignatureImage(dataUrl: string): Promise<Buffer | null> {
  if (!dataUrl) return null;
  const match = dataUrl.match(/^data:image\/png;base64,([A-Za-z0-9+/=]+)$/);
  if (!match) throw unreadable();
  const bytes = Buffer.from(match[1], "base64");
  if (bytes.length > MAX_SIGNATURE_IMAGE_BYTES)
    throw new DomainError("invalid_signature_image", "The drawn signature is too large. Clear it and draw again.");
  if (!bytes.subarray(0, 8).equals(PNG_MAGIC))
    throw new DomainError("invalid_signature_image", "The drawn signature is not a PNG image.");
  // The signed PDF embeds the image later: decode it now with the same library, so a
  // damaged PNG is refused here rather than failing the signing halfway.
  try {
    await (await PDFDocument.create()).embedPng(bytes);
  } catch {
    throw unreadable();
  }
  return bytes;
}
