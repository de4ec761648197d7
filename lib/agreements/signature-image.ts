import { DomainError } from "@/lib/errors";

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const MAX_SIGNATURE_IMAGE_BYTES = 300_000;

/** A drawn signature arrives as a PNG data URL; anything else is refused. */
export function decodeSignatureImage(dataUrl: string): Buffer | null {
  if (!dataUrl) return null;
  const match = dataUrl.match(/^data:image\/png;base64,([A-Za-z0-9+/=]+)$/);
  if (!match) throw new DomainError("invalid_signature_image", "The drawn signature could not be read. Clear it and draw again, or sign with your typed name only.");
  const bytes = Buffer.from(match[1], "base64");
  if (bytes.length > MAX_SIGNATURE_IMAGE_BYTES) throw new DomainError("invalid_signature_image", "The drawn signature is too large. Clear it and draw again.");
  if (!bytes.subarray(0, 8).equals(PNG_MAGIC)) throw new DomainError("invalid_signature_image", "The drawn signature is not a PNG image.");
  return bytes;
}
