import { renderCertificatePdf } from "@/lib/pdf/render-certificate";

/** A completion certificate as Clearance renders it, unsealed, for tests of sealing and verification. */
export function sampleCertificatePdf(personName = "Hannah Müller"): Promise<Uint8Array> {
  return renderCertificatePdf({
    personName,
    courseTitle: "Support Data Handling",
    courseVersion: "2.1.0",
    organisation: "Brightline Support",
    issuedAt: new Date("2025-03-12T10:00:00Z"),
    expiresAt: new Date("2026-03-12T10:00:00Z"),
    verificationCode: "K7QX-9M2P-4TZD",
    verifyUrl: "https://clearance.example.com/verify?code=K7QX-9M2P-4TZD",
  });
}
