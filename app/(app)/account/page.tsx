import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { emailCadences } from "@/db/schema";
import { requireViewer } from "@/lib/auth/gate";
import { remainingRecoveryCodes, secondFactorsOf } from "@/lib/auth/mfa";
import { SESSION_MAX_AGE_SECONDS } from "@/lib/auth/options";
import { myPasskeys } from "@/lib/auth/passkeys";
import { minPasswordLength } from "@/lib/auth/password.rules";
import { mySessions } from "@/lib/auth/sessions";
import { currentSessionId } from "@/lib/auth/viewer";
import { formatDateTime, plural } from "@/lib/format";
import { myEmailCadence } from "@/lib/notify/cadence";
import { ALWAYS_IMMEDIATE_NOTE, cadenceInWords, cadenceLabels } from "@/lib/notify/cadence.rules";

import { EmailCadenceForm } from "./email-cadence-form";
import { PasskeysCard } from "./passkeys/passkeys-card";
import { ChangePasswordCard } from "./password/change-password-card";
import { SessionsList } from "./sessions-card";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const viewer = await requireViewer("page:/account");
  const factors = await secondFactorsOf(viewer.id);
  const codes = factors.totp ? await remainingRecoveryCodes(viewer.id) : 0;
  const cadence = await myEmailCadence(viewer);
  const sessions = (await mySessions(viewer, await currentSessionId())).map((s) => ({
    id: s.id,
    current: s.current,
    device: s.device,
    method: s.method,
    ip: s.ip,
    signedIn: formatDateTime(s.createdAt),
    lastSeen: formatDateTime(s.lastSeenAt),
  }));
  return (
    <>
      <PageHeader title="Account" description="Your sign-in and security settings." />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Profile">
          <dl className="grid grid-cols-3 gap-3 text-sm">
            <dt className="text-slate-500">Name</dt>
            <dd className="col-span-2 font-medium">{viewer.name}</dd>
            <dt className="text-slate-500">Email</dt>
            <dd className="col-span-2 font-medium break-all">{viewer.email}</dd>
            <dt className="text-slate-500">Roles</dt>
            <dd className="col-span-2 flex flex-wrap gap-1">
              {viewer.roles.map((r) => (
                <Badge key={r}>{r.replace("_", " ")}</Badge>
              ))}
            </dd>
          </dl>
          <p className="mt-4 text-sm">
            <Link href="/account/data" className="font-medium text-brand-700 underline underline-offset-2">
              My data
            </Link>{" "}
            — see and download everything Clearance holds about you, and choose your privacy settings.
          </p>
        </Card>
        <Card title="Two-factor authentication">
          {viewer.mfaEnabled ? (
            <div className="space-y-2 text-sm">
              <p>
                <Badge tone="success">On</Badge>{" "}
                {factors.totp && factors.passkeys > 0
                  ? "A code from your authenticator app or one of your passkeys is required at sign-in."
                  : factors.totp
                    ? "Codes from your authenticator app are required at sign-in."
                    : "One of your passkeys is required at sign-in."}
              </p>
              {factors.totp ? (
                <p className="text-slate-600">
                  {codes} of 10 recovery codes left.
                  {codes <= 3 && " Ask your compliance team to reset your authenticator if you run out."}
                </p>
              ) : (
                <p className="text-slate-600">
                  Add a second passkey on another device, or{" "}
                  <Link href="/account/mfa" className="font-medium text-brand-700 underline underline-offset-2">
                    an authenticator app
                  </Link>
                  , so losing one device does not lock you out.
                </p>
              )}
            </div>
          ) : (
            <div className="space-y-3 text-sm">
              <p>
                <Badge tone="warning">Off</Badge> Your account is protected by your password only.
              </p>
              <Link href="/account/mfa" className="font-medium text-brand-700 underline underline-offset-2">
                Set up two-factor authentication
              </Link>
            </div>
          )}
        </Card>
        <Card
          id="notifications"
          title="Email notifications"
          description="How often Clearance emails you about assigned courses, due dates, expiring certifications and agreements to sign."
          className="lg:col-span-2"
        >
          <EmailCadenceForm
            legend="Send me routine notifications"
            current={cadence.choice ?? "organisation"}
            options={[
              {
                value: "organisation",
                label: `As my organisation sets it (now: ${cadenceInWords[cadence.organisationDefault]})`,
              },
              ...emailCadences.map((value) => ({ value, label: cadenceLabels[value] })),
            ]}
            note={ALWAYS_IMMEDIATE_NOTE}
          />
          <p className="mt-4 text-sm">
            <Link href="/notifications" className="font-medium text-brand-700 underline underline-offset-2">
              Your notifications
            </Link>{" "}
            — every email Clearance sent you.
          </p>
        </Card>
        <Card title="Where you are signed in" className="lg:col-span-2">
          <SessionsList sessions={sessions} />
          <p className="mt-4 text-xs text-slate-500">
            Sessions end after {plural(SESSION_MAX_AGE_SECONDS / 3600, "hour")}, when you sign out, and when your roles
            or password change.
          </p>
        </Card>
        <ChangePasswordCard
          hasTotp={factors.totp}
          hasPasskey={factors.passkeys > 0}
          minLength={minPasswordLength(viewer.mfaEnabled)}
        />
        <PasskeysCard
          passkeys={(await myPasskeys(viewer)).map((p) => ({
            id: p.id,
            name: p.name,
            createdAt: p.createdAt.toISOString(),
            lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
          }))}
        />
      </div>
    </>
  );
}
