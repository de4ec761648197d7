import Link from "next/link";

import { mainNavLinks, signInLink, type MainNavKey } from "@/lib/public-html/site-links";

import { Logo } from "./logo";
import { buttonClass } from "./ui/button";

/** `signIn: false` on pages for people without an account (partner signers). */
export function PublicHeader({ current, signIn = true }: { current?: MainNavKey; signIn?: boolean } = {}) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3 sm:px-6">
        <Link href="/" aria-label="Clearance home">
          <Logo />
        </Link>
        <nav aria-label="Main" className="flex items-center gap-3 text-sm sm:gap-5">
          {mainNavLinks.map((l) => (
            <Link
              key={l.key}
              href={l.href}
              aria-current={current === l.key ? "page" : undefined}
              className={`font-medium underline-offset-4 hover:text-slate-900 hover:underline ${current === l.key ? "text-brand-700" : "text-slate-600"}`}
            >
              {l.label}
            </Link>
          ))}
          {signIn && (
            <Link href={signInLink.href} className={buttonClass("primary", "py-1.5 whitespace-nowrap")}>
              {signInLink.label}
            </Link>
          )}
        </nav>
      </div>
    </header>
  );
}
