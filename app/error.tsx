"use client";

import { buttonClass } from "@/components/ui/button";

export default function ErrorPage({ reset, error }: { reset: () => void; error: Error & { digest?: string } }) {
  return (
    <main id="main" className="mx-auto flex max-w-xl flex-1 flex-col items-start justify-center px-6 py-24">
      <h1 className="text-2xl font-semibold text-slate-900">Something went wrong</h1>
      <p className="mt-2 text-slate-600">
        The page could not be shown. Nothing you submitted was lost. Try again, and if it keeps happening tell your
        compliance team
        {error.digest ? ` (reference ${error.digest})` : ""}.
      </p>
      <button onClick={reset} className={`${buttonClass("primary")} mt-6`}>
        Try again
      </button>
    </main>
  );
}
