"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Alert, Field } from "@/components/ui/field";
import { safeReturnPath } from "@/lib/http/return-path";

function messageFor(code: string): string {
  if (code.startsWith("locked:")) {
    const minutes = code.split(":")[1];
    return `Too many failed attempts. Sign-in is paused for this account; try again in ${minutes} minute${minutes === "1" ? "" : "s"}.`;
  }
  switch (code) {
    case "invalid_credentials":
    case "CredentialsSignin":
      return "Email or password is incorrect.";
    case "inactive":
      return "This account is not active. Contact your compliance team.";
    case "invalid_code":
      return "That code is not right. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.";
    default:
      return "Sign-in failed. Please try again.";
  }
}

export function SignInForm({ callbackUrl, signedOut }: { callbackUrl: string; signedOut: boolean }) {
  const router = useRouter();
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", {
      redirect: false,
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      code: String(form.get("code") ?? ""),
    });
    setPending(false);
    if (result?.ok && !result.error) {
      // Checked again here: the prop is the last step before the browser follows it.
      router.replace(safeReturnPath(callbackUrl));
      router.refresh();
      return;
    }
    const code = result?.error ?? "unknown";
    if (code === "mfa_required") {
      setNeedsCode(true);
      setTimeout(() => codeRef.current?.focus(), 0);
      return;
    }
    setError(messageFor(code));
  }

  return (
    <form onSubmit={onSubmit} className="mt-6 space-y-4" noValidate>
      {signedOut && !error && <Alert tone="success">You have signed out.</Alert>}
      {error && <Alert>{error}</Alert>}
      <Field label="Email" name="email" type="email" autoComplete="username" required readOnly={needsCode} />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required readOnly={needsCode} />
      {needsCode && (
        <div>
          <Alert tone="info">Your account uses two-factor authentication.</Alert>
          <div className="mt-3">
            <Field
              ref={codeRef}
              label="Authentication code"
              name="code"
              inputMode="text"
              autoComplete="one-time-code"
              hint="The 6-digit code from your authenticator app, or a recovery code like abcd-2345."
              required
            />
          </div>
        </div>
      )}
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : needsCode ? "Verify and sign in" : "Sign in"}
      </Button>
      <p className="text-sm">
        <Link href="/forgot-password" className="font-medium text-brand-700 underline underline-offset-2">
          Forgot password?
        </Link>
      </p>
    </form>
  );
}
