"use client";

import Link from "next/link";

import { buttonClass } from "@/components/ui/button";

/** A signed-in page that failed: the menu stays, with a way to try again or go back to the dashboard. */
export default function AppError({ reset, error }: { reset: () => void; error: Error & { digest?: string } }) {
  return (
    <div role="alert" className="max-w-xl py-12">
      <h1 className="text-2xl font-semibold text-slate-900">This page could not be shown</h1>
      <p className="mt-2 text-slate-600">
        Nothing you submitted was lost. Try again, and if it keeps happening tell your compliance team
        {error.digest ? ` (reference ${error.digest})` : ""}.
      </p>
      <div className="mt-6 flex flex-wrap gap-3">
        <button type="button" onClick={reset} className={buttonClass("primary")}>
          Try again
        </button>
        <Link href="/dashboard" className={buttonClass("secondary")}>
          Go to the dashboard
        </Link>
      </div>
    </div>
  );
}
