import Link from "next/link";

import { buttonClass } from "@/components/ui/button";

export default function Forbidden() {
  return (
    <main id="main" className="mx-auto flex max-w-xl flex-1 flex-col items-start justify-center px-6 py-24">
      <p className="text-sm font-semibold text-brand-700">403</p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">You don&apos;t have access to this page</h1>
      <p className="mt-2 text-slate-600">
        Your role does not include it. If you need it for your work, ask your compliance team.
      </p>
      <Link href="/dashboard" className={`${buttonClass("primary")} mt-6`}>
        Back to your dashboard
      </Link>
    </main>
  );
}
