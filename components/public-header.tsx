import Link from "next/link";
import { Logo } from "./logo";
import { buttonClass } from "./ui/button";

export function PublicHeader() {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3 sm:px-6">
        <Link href="/" aria-label="Clearance home">
          <Logo />
        </Link>
        <nav aria-label="Main" className="flex items-center gap-5 text-sm">
          <Link href="/signin" className={buttonClass("primary", "py-1.5")}>
            Sign in
          </Link>
        </nav>
      </div>
    </header>
  );
}
