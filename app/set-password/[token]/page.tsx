import type { Metadata } from "next";
import Link from "next/link";

import { PublicHeader } from "@/components/public-header";
import { SiteFooter } from "@/components/site-footer";
import { formatDateTime } from "@/lib/format";
import { passwordLinkView } from "@/lib/people/invitations";

import { SetPasswordForm } from "./set-password-form";

export const metadata: Metadata = {
  title: "Set your password",
  robots: { index: false, follow: false },
  referrer: "no-referrer",
};
export const dynamic = "force-dynamic";

const closed = {
  expired: [
    "This link has expired",
    "Links to set a password work for 7 days. Ask your compliance team to send you a new invitation.",
  ],
  used: [
    "This link has already been used",
    "Each link works once. If you set your password, sign in with it. If you did not, ask your compliance team for a new invitation.",
  ],
  unknown: [
    "This link is not valid",
    "Check that you opened the whole link from the email. If it still does not work, ask your compliance team for a new invitation.",
  ],
} as const;

const closedReset = {
  expired: [
    "This link has expired",
    "Links to reset a password work for 30 minutes. Ask for a new one with “Forgot password?” on the sign-in page.",
  ],
  used: [
    "This link has already been used",
    "Each link works once. If you chose a new password, sign in with it. If you did not, ask for a new link on the sign-in page.",
  ],
} as const;

function closedText(view: { state: keyof typeof closed; purpose?: "invitation" | "reset" }): readonly [string, string] {
  return view.purpose === "reset" && view.state !== "unknown" ? closedReset[view.state] : closed[view.state];
}

export default async function SetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const view = await passwordLinkView(token);
  return (
    <>
      <PublicHeader />
      <main id="main" className="flex flex-1 items-start justify-center px-4 py-16">
        <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
          {view.state === "ready" ? (
            <>
              <h1 className="text-2xl font-semibold tracking-tight text-slate-900">
                {view.purpose === "reset" ? "Choose a new password" : "Set your password"}
              </h1>
              <p className="mt-1 text-sm text-slate-600">
                {view.purpose === "reset" ? `Hello, ${view.name}.` : `Welcome, ${view.name}.`} Choose a password for{" "}
                <strong className="font-medium text-slate-800">{view.email}</strong>. This link works once, until{" "}
                {formatDateTime(view.expiresAt)}.
                {view.purpose === "reset" && " Every device signed in to your account will be signed out."}
              </p>
              <SetPasswordForm token={token} email={view.email} minLength={view.minLength} />
            </>
          ) : (
            <>
              <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{closedText(view)[0]}</h1>
              <p className="mt-2 text-slate-600">{closedText(view)[1]}</p>
              <p className="mt-6 text-sm">
                <Link href="/signin" className="font-medium text-brand-700 underline underline-offset-2">
                  Go to sign-in
                </Link>
              </p>
            </>
          )}
        </div>
      </main>
      <SiteFooter />
    </>
  );
}
