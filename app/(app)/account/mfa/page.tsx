import type { Metadata } from "next";
import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { Alert } from "@/components/ui/field";
import { startMfaEnrolment } from "@/lib/auth/mfa";
import { requireViewer } from "@/lib/auth/viewer";
import { ConfirmMfaForm } from "./confirm-form";

export const metadata: Metadata = { title: "Two-factor authentication" };

export default async function MfaPage() {
  const viewer = await requireViewer({ allowMfaPending: true });
  if (viewer.mfaEnabled) {
    return (
      <>
        <PageHeader title="Two-factor authentication" />
        <Alert tone="success">
          Two-factor authentication is on for your account. <Link href="/account" className="underline">Back to your account</Link>
        </Alert>
      </>
    );
  }
  const enrolment = await startMfaEnrolment(viewer);
  const groupedKey = enrolment.secret.match(/.{1,4}/g)?.join(" ");
  return (
    <>
      <PageHeader
        title="Set up two-factor authentication"
        description="A code from an authenticator app on your phone protects your account even if your password is stolen."
      />
      {viewer.mfaRequired && (
        <div className="mb-6">
          <Alert tone="info">Your role gives you access to other people&apos;s records, so two-factor authentication is required before you continue.</Alert>
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="1. Add Clearance to your authenticator app">
          <p className="text-sm text-slate-600">Scan this code with an app such as 1Password, Authy, Google or Microsoft Authenticator.</p>
          <div
            role="img"
            aria-label="QR code for your authenticator app"
            className="mx-auto mt-4 w-48 [&_svg]:h-auto [&_svg]:w-full"
            dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
          />
          <p className="mt-4 text-sm text-slate-600">Can&apos;t scan? Enter this key instead:</p>
          <p className="mt-1 rounded-md bg-slate-50 px-3 py-2 font-mono text-sm tracking-wider text-slate-900" data-testid="mfa-secret" data-secret={enrolment.secret}>
            {groupedKey}
          </p>
        </Card>
        <Card title="2. Confirm with a code">
          <ConfirmMfaForm />
        </Card>
      </div>
    </>
  );
}
