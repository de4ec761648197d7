import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { PublicHeader } from "@/components/public-header";
import { getDb } from "@/db/client";
import { getViewer } from "@/lib/auth/viewer";
import { env } from "@/lib/env";
import { safeReturnPath } from "@/lib/http/return-path";
import { signInOptions } from "@/lib/identity/providers/read-providers";
import { isSamlFailureReason, samlFailureMessages } from "@/lib/identity/saml/failure-reasons";
import { SSO_REFUSAL_MESSAGES, type SsoRefusalReason } from "@/lib/identity/sso/complete";

import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const params = await searchParams;
  if (await getViewer()) redirect(safeReturnPath(params.callbackUrl));
  const providers = (await signInOptions(await getDb())).map(({ name, startPath }) => ({ name, startPath }));
  const ssoError =
    params.sso_error && params.sso_error in SSO_REFUSAL_MESSAGES
      ? SSO_REFUSAL_MESSAGES[params.sso_error as SsoRefusalReason]
      : params.sso_error
        ? "Single sign-on failed. Please try again."
        : null;
  // A refused SAML response also names what was wrong with it, in fixed words.
  const ssoDetail = ssoError && isSamlFailureReason(params.sso_detail) ? samlFailureMessages[params.sso_detail] : null;
  return (
    <>
      <PublicHeader />
      <main id="main" className="flex flex-1 items-start justify-center px-4 py-16">
        <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Sign in to Clearance</h1>
          <p className="mt-1 text-sm text-slate-600">Use your work email address.</p>
          <SignInForm
            callbackUrl={safeReturnPath(params.callbackUrl)}
            signedOut={params.signedOut === "1"}
            passkeySignIn={env().PASSKEY_SIGN_IN}
            providers={providers}
            ssoError={ssoDetail ? `${ssoError} ${ssoDetail}` : ssoError}
          />
        </div>
      </main>
    </>
  );
}
