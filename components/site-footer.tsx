import Link from "next/link";

import { footerLinks, footerTagline, signInLink } from "@/lib/public-html/site-links";

/** `signIn: false` for people who are signed in already, or have no account (partner signers). */
export function SiteFooter({ signIn = true }: { signIn?: boolean } = {}) {
  const links = signIn ? footerLinks : footerLinks.filter((l) => l.href !== signInLink.href);
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-4 px-4 py-6 text-sm text-slate-600 sm:px-6">
        <p>{footerTagline}</p>
        <nav aria-label="Footer" className="flex flex-wrap gap-x-4 gap-y-2">
          {links.map((l) => (
            <Link key={l.href} className="hover:text-slate-900" href={l.href}>
              {l.label}
            </Link>
          ))}
        </nav>
      </div>
    </footer>
  );
}
