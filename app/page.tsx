import Link from "next/link";

import { PublicHeader } from "@/components/public-header";
import { SiteFooter } from "@/components/site-footer";
import { buttonClass } from "@/components/ui/button";

// Rendered per request (see app/layout.tsx) so its scripts carry the CSP nonce; it reads no cookie and sets none.

const pillars = [
  {
    title: "Training that proves itself",
    body: "Courses on data-protection law and our own policies, quizzes graded on the server, certifications that expire and renew on schedule.",
  },
  {
    title: "Agreements that hold up",
    body: "Employees and partners e-sign confidentiality agreements. Each is a sealed PDF with an audit certificate anyone can verify.",
  },
  {
    title: "Access that follows the rules",
    body: "A data-access role is granted only while its holder's training and agreements are current. Other systems ask Clearance, live.",
  },
  {
    title: "A record auditors trust",
    body: "Every action lands in a hash-chained audit log. Managers see their teams, compliance sees the organisation.",
  },
];

export default function LandingPage() {
  return (
    <>
      <PublicHeader />
      <main id="main" className="flex-1">
        <section className="bg-gradient-to-b from-white to-slate-50">
          <div className="mx-auto max-w-6xl px-4 py-16 sm:px-6 sm:py-24">
            <p className="text-sm font-semibold tracking-wide text-brand-700 uppercase">
              Compliance training and attestation
            </p>
            <h1 className="mt-3 max-w-3xl text-4xl font-semibold tracking-tight text-slate-900 sm:text-5xl">
              Only trained, signed-up people touch customer data.
            </h1>
            <p className="mt-5 max-w-2xl text-lg leading-8 text-slate-600">
              Clearance teaches employees the laws and policies behind the data they handle, records that they learned
              them, keeps their signed confidentiality agreements, and tells your other systems — in real time — whether
              a person may hold a data-access role.
            </p>
            <div className="mt-8 flex flex-wrap gap-3">
              <Link href="/signin" className={buttonClass("primary", "px-5 py-2.5")}>
                Sign in
              </Link>
              <Link href="/verify" className={buttonClass("secondary", "px-5 py-2.5")}>
                Verify a document
              </Link>
            </div>
          </div>
        </section>
        <section aria-labelledby="what" className="mx-auto max-w-6xl px-4 pb-20 sm:px-6">
          <h2 id="what" className="sr-only">
            What Clearance does
          </h2>
          <ul className="grid gap-5 sm:grid-cols-2">
            {pillars.map((p) => (
              <li key={p.title} className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
                <h3 className="font-semibold text-slate-900">{p.title}</h3>
                <p className="mt-2 text-sm leading-6 text-slate-600">{p.body}</p>
              </li>
            ))}
          </ul>
        </section>
      </main>
      <SiteFooter />
    </>
  );
}
