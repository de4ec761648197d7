import Link from "next/link";

import { buttonClass } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main id="main" className="mx-auto flex max-w-xl flex-1 flex-col items-start justify-center px-6 py-24">
      <p className="text-sm font-semibold text-brand-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">Page not found</h1>
      <p className="mt-2 text-slate-600">The page you asked for does not exist or has moved.</p>
      <Link href="/" className={`${buttonClass("primary")} mt-6`}>
        Go to the home page
      </Link>
    </main>
  );
}
