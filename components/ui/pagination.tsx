import Link from "next/link";

const linkClass = "font-medium text-brand-700 underline underline-offset-2";

export type PaginationProps = {
  /** Names the navigation landmark when a page has more than one list. */
  label?: string;
  page: number;
  pageCount: number;
  /** What the list shows on this page, e.g. "Showing 1–50 of 1,000"; defaults to "Page 2 of 7". */
  summary?: string;
  /** The query string of another page, with the page's other filters kept. */
  queryFor: (page: number) => Record<string, string>;
  /** Which part of the page the links land on (an element's id), when the list is not at the top. */
  anchor?: string;
  /** The links' words where the order has a meaning of its own, e.g. "Newer" and "Older" for a log. */
  previousLabel?: string;
  nextLabel?: string;
};

/** Previous and next links under a paged list, with where the reader is. Nothing when it all fits on one page and there is no summary to give. */
export function Pagination({
  label = "Pagination",
  page,
  pageCount,
  summary,
  queryFor,
  anchor,
  previousLabel = "Previous page",
  nextLabel = "Next page",
}: PaginationProps) {
  if (pageCount <= 1 && !summary) return null;
  const href = (p: number) => ({ query: queryFor(p), hash: anchor });
  return (
    <nav aria-label={label} className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm">
      <span className="text-slate-600">{summary ?? `Page ${page} of ${pageCount}`}</span>
      {pageCount > 1 && (
        <span className="flex gap-3">
          {page > 1 && (
            <Link className={linkClass} href={href(page - 1)}>
              {previousLabel}
            </Link>
          )}
          {page < pageCount && (
            <Link className={linkClass} href={href(page + 1)}>
              {nextLabel}
            </Link>
          )}
        </span>
      )}
    </nav>
  );
}
