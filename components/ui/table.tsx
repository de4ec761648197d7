import Link from "next/link";
import { useId, type Key, type ReactNode } from "react";

import { Pagination, type PaginationProps } from "./pagination";

export type Column<T> = {
  /** Names the column, for screen readers too: wrap it in `sr-only` for a column of buttons. */
  header: ReactNode;
  cell: (row: T, index: number) => ReactNode;
  /** The cell names its row (`<th scope="row">`): the person, the course, the client. */
  rowHeader?: boolean;
  /** Counts and rates: right-aligned, in figures of one width so they line up. */
  numeric?: boolean;
  /** The value of the page's `sort` parameter that orders the rows by this column; needs the table's `sorting`. */
  sort?: string;
  /** Classes for this column's body cells. */
  className?: string;
  /** Classes for its header cell. */
  headerClassName?: string;
};

export type SortDirection = "asc" | "desc";

export type Sorting = {
  /** The page the links open, so that a query left empty (the default order) still leads somewhere. */
  pathname: string;
  /** The `sort` value the rows are ordered by now. */
  by: string;
  dir?: SortDirection;
  /** The page sorts both ways: the current column's link turns the order around. */
  reversible?: boolean;
  /** The query string that orders by `sort` in `dir`, the page's other filters kept. */
  queryFor: (sort: string, dir: SortDirection) => Record<string, string>;
  /** Which part of the page the links land on (an element's id). */
  anchor?: string;
};

/** Attributes of a body row: `data-*` for tests and scripts, and a tone for rows that need attention. */
export type RowAttributes = { tone?: "danger" } & { [name: `data-${string}`]: string | number | undefined };

type Props<T> = {
  /** What the table holds; it names the table (and its scroll region) for screen readers. */
  caption: ReactNode;
  /** Where a heading above already says what the table is, the caption is for screen readers only. */
  hideCaption?: boolean;
  /** `false` leaves out a column this viewer does not get. */
  columns: (Column<T> | false | null | undefined)[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => Key;
  rowAttributes?: (row: T) => RowAttributes;
  /** The one row shown when there are none, e.g. "No webhooks yet". */
  empty: string;
  emptyDetail?: ReactNode;
  sorting?: Sorting;
  /** Previous and next links under the table, for a paged list. */
  pagination?: PaginationProps;
  /** A border round the table and a shaded header, for a table that stands alone rather than in a card. */
  framed?: boolean;
  /** Every other row shaded, which helps the eye along a long, dense table. */
  striped?: boolean;
  /** Names the scroll region instead of the caption, when the caption is too long to hear on every focus. */
  regionLabel?: string;
  /** Extra classes for the table element. */
  className?: string;
};

const ariaSort = { asc: "ascending", desc: "descending" } as const;

/**
 * A table of rows, in the app's one look (the `data-table` classes in app/globals.css, so long tables stay light):
 * a caption, column headers with `scope`, an optional row header, numbers aligned right, a row that says when
 * there is nothing, header links that sort, and a region that scrolls sideways on narrow screens and takes
 * keyboard focus so it can be scrolled without a mouse.
 */
export function Table<T>({
  caption,
  hideCaption = false,
  columns,
  rows,
  rowKey,
  rowAttributes,
  empty,
  emptyDetail,
  sorting,
  pagination,
  framed = false,
  striped = false,
  regionLabel,
  className = "",
}: Props<T>) {
  const captionId = useId();
  const shown = columns.filter((c): c is Column<T> => Boolean(c));
  const tableClass = ["data-table", framed && "framed", striped && "striped", className].filter(Boolean).join(" ");
  const captionClass = hideCaption
    ? "sr-only"
    : framed
      ? "border-b border-slate-200 px-4 py-2 text-left text-sm text-slate-600"
      : "mb-2 text-left text-sm font-semibold text-slate-900";
  return (
    <>
      <div
        role="region"
        aria-labelledby={regionLabel ? undefined : captionId}
        aria-label={regionLabel}
        tabIndex={0}
        className={framed ? "overflow-x-auto rounded-lg border border-slate-200" : "overflow-x-auto"}
      >
        <table className={tableClass}>
          <caption id={captionId} className={captionClass}>
            {caption}
          </caption>
          <thead>
            <tr>
              {shown.map((column, i) => (
                <HeaderCell key={i} column={column} sorting={sorting} />
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr data-empty="">
                <td colSpan={shown.length} className="py-8 text-center">
                  <p className="font-medium text-slate-800">{empty}</p>
                  {emptyDetail && <div className="mt-1 text-sm text-slate-600">{emptyDetail}</div>}
                </td>
              </tr>
            ) : (
              rows.map((row, r) => {
                const { tone, ...data } = rowAttributes?.(row) ?? {};
                return (
                  <tr key={rowKey(row, r)} data-tone={tone} {...data}>
                    {shown.map((column, i) => {
                      const cellClass = cellClassName(column, column.className);
                      return column.rowHeader ? (
                        <th key={i} scope="row" className={cellClass}>
                          {column.cell(row, r)}
                        </th>
                      ) : (
                        <td key={i} className={cellClass}>
                          {column.cell(row, r)}
                        </td>
                      );
                    })}
                  </tr>
                );
              })
            )}
          </tbody>
        </table>
      </div>
      {pagination && <Pagination {...pagination} />}
    </>
  );
}

function cellClassName<T>(column: Column<T>, extra: string | undefined): string | undefined {
  return [column.numeric && "num", extra].filter(Boolean).join(" ") || undefined;
}

function HeaderCell<T>({ column, sorting }: { column: Column<T>; sorting?: Sorting }) {
  const className = cellClassName(column, column.headerClassName);
  if (!sorting || column.sort === undefined) {
    return (
      <th scope="col" className={className}>
        {column.header}
      </th>
    );
  }
  const active = sorting.by === column.sort;
  const dir = sorting.dir ?? "asc";
  const next: SortDirection = active && sorting.reversible && dir === "asc" ? "desc" : "asc";
  return (
    <th scope="col" className={className} aria-sort={active ? ariaSort[dir] : undefined}>
      <Link
        href={{ pathname: sorting.pathname, query: sorting.queryFor(column.sort, next), hash: sorting.anchor }}
        className={`inline-flex items-center gap-1 hover:text-slate-900 hover:underline ${active ? "text-slate-900" : ""}`}
      >
        {column.header}
        <SortIcon dir={active ? dir : undefined} />
      </Link>
    </th>
  );
}

/** An arrow for the order in use, a faint pair on columns that could sort; a picture only, as `aria-sort` says it. */
function SortIcon({ dir }: { dir?: SortDirection }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 10 12" className={`h-3 w-2.5 ${dir ? "" : "text-slate-300"}`}>
      {dir !== "desc" && <path d="M5 1 L9 5 H1 Z" fill="currentColor" />}
      {dir !== "asc" && <path d="M5 11 L9 7 H1 Z" fill="currentColor" />}
    </svg>
  );
}
