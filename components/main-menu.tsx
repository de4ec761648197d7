"use client";

import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import type { NavItem } from "./app-nav";
import { NavLinks } from "./nav-links";

const MENU_ID = "main-menu";

/**
 * The main navigation. On a wide screen it is a row of links; on a narrow one
 * a "Menu" button discloses it below the header (WAI-ARIA disclosure): Escape
 * closes it and puts focus back on the button, and following a link closes it.
 * It is placed as two children of the header row, so the button sits in the
 * first row and the open list takes a row of its own.
 */
export function MainMenu({ items }: { items: Pick<NavItem, "href" | "label">[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const pathname = usePathname();
  const [shownFor, setShownFor] = useState(pathname);
  // A navigation closes the menu (state adjusted while rendering, as React recommends over an effect).
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <>
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={MENU_ID}
        onClick={() => setOpen(!open)}
        className="ml-auto inline-flex items-center gap-2 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100 sm:hidden"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
          {open ? (
            <path d="M5.3 4 10 8.6 14.7 4 16 5.3 11.4 10l4.6 4.7-1.3 1.3-4.7-4.6L5.3 16 4 14.7 8.6 10 4 5.3z" />
          ) : (
            <path d="M3 5h14v2H3zm0 4h14v2H3zm0 4h14v2H3z" />
          )}
        </svg>
        Menu
      </button>
      <nav
        id={MENU_ID}
        aria-label="Main"
        // A link to the page already shown changes no path: close on any click of a link.
        onClick={(event) => {
          if ((event.target as HTMLElement).closest("a")) setOpen(false);
        }}
        className={`${open ? "block" : "hidden"} order-last w-full border-t border-slate-200 pt-2 sm:order-none sm:block sm:w-auto sm:border-0 sm:pt-0`}
      >
        <NavLinks items={items} listClassName="flex flex-col gap-1 sm:flex-row sm:flex-wrap" />
      </nav>
    </>
  );
}
