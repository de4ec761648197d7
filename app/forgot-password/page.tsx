import type { Metadata } from "next";

import { PublicHeader } from "@/components/public-header";

import { ForgotPasswordForm } from "./forgot-password-form";

export const metadata: Metadata = { title: "Forgot password", robots: { index: false, follow: false } };

export default function ForgotPasswordPage() {
  return (
    <>
      <PublicHeader />
      <main id="main" className="flex flex-1 items-start justify-center px-4 py-16">
        <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Forgot your password?</h1>
          <p className="mt-1 text-sm text-slate-600">
            Enter your work email address. We will email you a link to choose a new password.
          </p>
          <ForgotPasswordForm />
        </div>
      </main>
    </>
  );
}
