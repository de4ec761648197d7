import type { Metadata } from "next";

import { PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { secondFactorsOf, startMfaEnrolment } from "@/lib/auth/mfa";

import { PasskeysCard } from "../passkeys/passkeys-card";
import { MfaEnrolment } from "./confirm-form";

export const metadata: Metadata = { title: "Two-factor authentication" };

export default async function MfaPage() {
  const viewer = await requireViewer("page:/account/mfa");
  // A person whose passkeys are their second factor may add an authenticator app as well.
  const { totp } = await secondFactorsOf(viewer.id);
  const enrolment = totp ? null : await startMfaEnrolment(viewer);
  return (
    <>
      <PageHeader
        title={
          totp
            ? "Two-factor authentication"
            : viewer.mfaEnabled
              ? "Add an authenticator app"
              : "Set up two-factor authentication"
        }
        description={
          totp
            ? undefined
            : viewer.mfaEnabled
              ? "Your passkeys protect your account. A code from an authenticator app is a second way in if you lose the device that holds them."
              : "A code from an authenticator app on your phone protects your account even if your password is stolen."
        }
      />
      <MfaEnrolment
        enabled={totp}
        required={viewer.mfaRequired}
        enrolment={enrolment && { qrSvg: enrolment.qrSvg, secret: enrolment.secret }}
      />
      {/* Or a passkey: a second factor that phishing cannot capture. */}
      {!viewer.mfaEnabled && (
        <div className="mt-6">
          <PasskeysCard passkeys={[]} />
        </div>
      )}
    </>
  );
}
