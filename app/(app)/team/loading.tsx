import { PageHeader } from "@/components/ui/card";

export default function TeamLoading() {
  return (
    <>
      <PageHeader
        title="Team"
        description="Everyone who reports to you, directly or through other managers, and what each of them must complete."
      />
      <div role="status" aria-live="polite" className="space-y-6">
        <span className="sr-only">Loading your team…</span>
        <div aria-hidden="true" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
          {Array.from({ length: 4 }, (_, i) => (
            <div key={i} className="h-24 animate-pulse rounded-xl border border-slate-200 bg-white" />
          ))}
        </div>
        <div aria-hidden="true" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <div className="mb-5 h-10 animate-pulse rounded-md bg-slate-100" />
          {Array.from({ length: 8 }, (_, i) => (
            <div key={i} className="mb-3 h-8 animate-pulse rounded bg-slate-100" />
          ))}
        </div>
      </div>
    </>
  );
}
