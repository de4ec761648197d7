"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import { Button, buttonClass } from "@/components/ui/button";
import { Alert, Field } from "@/components/ui/field";
import { safeReturnPath } from "@/lib/http/return-path";

import { startPasskeySignIn } from "./actions";

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
    case "invalid_passkey":
      return "That passkey was not accepted. Try again, or use another way to sign in.";
    case "passkeys_off":
      return "Your organisation does not allow signing in with a passkey alone. Use your email and password.";
    case "passkey_cancelled":
      return "The passkey prompt was closed. Try again when you are ready.";
    case "sso_required":
      return "Your organisation signs you in through its identity provider. Use the single sign-on button below.";
    case "handoff_invalid":
      return "That single sign-on has expired or was opened in another browser. Start again with the button below.";
    case "invalid_code":
      return "That code is not right. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.";
    default:
      return "Sign-in failed. Please try again.";
  }
}

/** Asks this browser's authenticator to answer a fresh, server-side challenge; null when the person closes the prompt. */
async function passkeyAnswer(): Promise<string | { error: string }> {
  const prompt = await startPasskeySignIn();
  if (!prompt?.ok || typeof prompt.data !== "string") return { error: prompt && !prompt.ok ? prompt.error : "unknown" };
  try {
    return JSON.stringify(await startAuthentication({ optionsJSON: JSON.parse(prompt.data) }));
  } catch {
    return { error: "passkey_cancelled" };
  }
}

/** The handoff token a single sign-on left in this page's fragment, removed from the address bar at once. */
function takeSsoToken(): string | null {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("sso");
  if (token) window.history.replaceState(null, "", window.location.pathname + window.location.search);
  return token && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : null;
}

export function SignInForm({
  callbackUrl,
  signedOut,
  passkeySignIn,
  providers = [],
  ssoError = null,
}: {
  callbackUrl: string;
  signedOut: boolean;
  passkeySignIn: boolean;
  providers?: { name: string; startPath: string }[];
  ssoError?: string | null;
}) {
  const router = useRouter();
  const [needsCode, setNeedsCode] = useState(false);
  const [needsPasskey, setNeedsPasskey] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const [error, setError] = useState<string | null>(ssoError);
  const [pending, setPending] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);
  // Set while a single sign-on waits for this browser to exchange it (and perhaps give a second factor).
  const [ssoToken, setSsoToken] = useState<string | null>(null);

  /** Applies next-auth's answer: in, asked for a second factor, or refused. */
  function settle(result: { ok: boolean; error?: string | null } | undefined) {
    if (result?.ok && !result.error) {
      // Checked again here: the prop is the last step before the browser follows it.
      router.replace(safeReturnPath(callbackUrl));
      router.refresh();
      return;
    }
    const code = result?.error ?? "unknown";
    if (code.startsWith("mfa_required")) {
      const factors = code.split(":")[1]?.split(",") ?? ["totp"];
      setNeedsCode(factors.includes("totp"));
      setNeedsPasskey(factors.includes("passkey"));
      if (factors.includes("totp")) setTimeout(() => codeRef.current?.focus(), 0);
      return;
    }
    if (code === "handoff_invalid") setSsoToken(null);
    setError(messageFor(code));
  }

  useEffect(() => {
    const token = takeSsoToken();
    if (!token) return;
    // The fragment exists only in the browser, so the token can be read only after hydration.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setSsoToken(token);
    setPending(true);
    signIn("sso", { redirect: false, token }).then((result) => {
      setPending(false);
      settle(result);
    });
    // Runs once, when the page opens with a token.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    if (ssoToken) {
      const answer = await signIn("sso", { redirect: false, token: ssoToken, code: String(form.get("code") ?? "") });
      setPending(false);
      settle(answer);
      return;
    }
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
    if (code.startsWith("mfa_required")) {
      const factors = code.split(":")[1]?.split(",") ?? ["totp"];
      setNeedsCode(factors.includes("totp"));
      setNeedsPasskey(factors.includes("passkey"));
      if (factors.includes("totp")) setTimeout(() => codeRef.current?.focus(), 0);
      return;
    }
    setError(messageFor(code));
  }

  /** With a password already typed, the passkey is the second factor; without, it signs in alone. */
  async function signInWithPasskey(asSecondFactor: boolean) {
    setPending(true);
    setError(null);
    const answer = await passkeyAnswer();
    if (typeof answer !== "string") {
      setPending(false);
      setError(messageFor(answer.error));
      return;
    }
    const form = new FormData(formRef.current ?? undefined);
    const result = ssoToken
      ? await signIn("sso", { redirect: false, token: ssoToken, passkey: answer })
      : asSecondFactor
        ? await signIn("credentials", {
            redirect: false,
            email: String(form.get("email") ?? ""),
            password: String(form.get("password") ?? ""),
            passkey: answer,
          })
        : await signIn("passkey", { redirect: false, passkey: answer });
    setPending(false);
    if (result?.ok && !result.error) {
      router.replace(safeReturnPath(callbackUrl));
      router.refresh();
      return;
    }
    setError(messageFor(result?.error ?? "unknown"));
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} className="mt-6 space-y-4" noValidate>
      {signedOut && !error && <Alert tone="success">You have signed out.</Alert>}
      {error && <Alert>{error}</Alert>}
      {ssoToken && (needsCode || needsPasskey) && (
        <Alert tone="info">Your identity provider signed you in. Clearance needs your second factor too.</Alert>
      )}
      {!ssoToken && providers.length > 0 && (
        <div className="space-y-2">
          {providers.map((p) => (
            <a
              key={p.startPath}
              href={`${p.startPath}?callbackUrl=${encodeURIComponent(safeReturnPath(callbackUrl))}`}
              className={buttonClass("primary", "w-full")}
            >
              Sign in with {p.name}
            </a>
          ))}
          <p className="text-center text-xs text-slate-500">or with your email address</p>
        </div>
      )}
      {!ssoToken && (
        <>
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="username webauthn"
            required
            readOnly={needsCode || needsPasskey}
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            readOnly={needsCode || needsPasskey}
          />
        </>
      )}
      {needsPasskey && (
        <div className="space-y-3">
          <Alert tone="info">Your account uses a passkey as its second factor.</Alert>
          <Button type="button" className="w-full" disabled={pending} onClick={() => signInWithPasskey(true)}>
            Use your passkey
          </Button>
        </div>
      )}
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
      {ssoToken && pending && !needsCode && !needsPasskey && <p role="status">Signing you in…</p>}
      {(!needsPasskey || needsCode) && (!ssoToken || needsCode) && (
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? "Signing in…" : needsCode ? "Verify and sign in" : "Sign in"}
        </Button>
      )}
      {passkeySignIn && !ssoToken && !needsCode && !needsPasskey && (
        <Button
          type="button"
          variant="secondary"
          className="w-full"
          disabled={pending}
          onClick={() => signInWithPasskey(false)}
        >
          Use a passkey instead of a password
        </Button>
      )}
      <p className="text-sm">
        <Link href="/forgot-password" className="font-medium text-brand-700 underline underline-offset-2">
          Forgot password?
        </Link>
      </p>
    </form>
  );
}
