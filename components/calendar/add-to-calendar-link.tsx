import { formatDate } from "@/lib/format";

/**
 * A download of an item's due date as an iCalendar (.ics) file, for any
 * calendar app. `href` is the item's calendar route (…/calendar).
 */
export function AddToCalendarLink({ href, date, className = "" }: { href: string; date: Date; className?: string }) {
  return (
    <a
      href={href}
      download
      className={`inline-flex items-center gap-1 text-sm font-medium text-brand-700 underline underline-offset-2 ${className}`}
    >
      Add to calendar<span className="sr-only"> (due {formatDate(date)}, .ics file)</span>
    </a>
  );
}

/** "Due 15 Dec 2026 · Add to calendar", under a page's header. */
export function DueDateLine({ label, date, href }: { label: string; date: Date; href: string }) {
  return (
    <p className="-mt-2 mb-6 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-700">
      <span>
        {label} <strong className="font-semibold">{formatDate(date)}</strong>
      </span>
      <AddToCalendarLink href={href} date={date} />
    </p>
  );
}
