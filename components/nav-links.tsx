"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

import type { NavItem } from "./app-nav";

/** `listClassName`: the list's layout, a wrapping row unless told otherwise. */
export function NavLinks({
  items,
  listClassName = "flex flex-wrap gap-1",
}: {
  items: Pick<NavItem, "href" | "label">[];
  listClassName?: string;
}) {
  const pathname = usePathname();
  return (
    <ul className={listClassName}>
      {items.map((item) => {
        // The most specific item wins, so "Audit log" is not active on "Data events".
        const matches = (href: string) => pathname === href || pathname.startsWith(`${href}/`);
        const active =
          matches(item.href) &&
          !items.some(
            (other) => other.href.length > item.href.length && other.href.startsWith(item.href) && matches(other.href),
          );
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`block rounded-md px-3 py-1.5 text-sm font-medium ${active ? "bg-brand-50 text-brand-800" : "text-slate-700 hover:bg-slate-100"}`}
            >
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
