import Link from "next/link";

export function SiteFooter() {
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-4 px-4 py-6 text-sm text-slate-600 sm:px-6">
        <p>Clearance — compliance training, signed agreements and data-access clearance.</p>
        <nav aria-label="Footer" className="flex flex-wrap gap-x-4 gap-y-2">
          <Link className="hover:text-slate-900" href="/guides">
            Guides
          </Link>
          <Link className="hover:text-slate-900" href="/privacy">
            Privacy notice
          </Link>
          <Link className="hover:text-slate-900" href="/verify">
            Verify a certificate
          </Link>
          <Link className="hover:text-slate-900" href="/signin">
            Sign in
          </Link>
        </nav>
      </div>
    </footer>
  );
}
