import type { Metadata } from "next";

import { PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { startMfaEnrolment } from "@/lib/auth/mfa";

import { PasskeysCard } from "../passkeys/passkeys-card";
import { MfaEnrolment } from "./confirm-form";

export const metadata: Metadata = { title: "Two-factor authentication" };

export default async function MfaPage() {
  const viewer = await requireViewer("page:/account/mfa");
  const enrolment = viewer.mfaEnabled ? null : await startMfaEnrolment(viewer);
  return (
    <>
      <PageHeader
        title={viewer.mfaEnabled ? "Two-factor authentication" : "Set up two-factor authentication"}
        description={
          viewer.mfaEnabled
            ? undefined
            : "A code from an authenticator app on your phone protects your account even if your password is stolen."
        }
      />
      <MfaEnrolment
        enabled={viewer.mfaEnabled}
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
