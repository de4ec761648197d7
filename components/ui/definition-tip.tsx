"use client";

import { useEffect, useId, useRef, useState } from "react";

/**
 * A figure's definition behind a small "i" button (a toggletip): the button
 * names the figure, pressing it shows the definition in a live region so
 * screen readers read it, and Escape or a click elsewhere hides it again.
 * The definition opens in the flow below the label, inside its card, so it
 * never runs off a narrow screen.
 */
export function DefinitionTip({ figure, definition }: { figure: string; definition: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const root = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpen(false);
    };
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  return (
    <span ref={root}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={id}
        aria-label={`What ${figure} counts`}
        onClick={() => setOpen((v) => !v)}
        className="ml-1 inline-flex h-5 w-5 items-center justify-center rounded-full align-middle border border-slate-300 text-xs font-semibold text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
      >
        i
      </button>
      <span id={id} role="status" className={open ? "mt-2 block" : "sr-only"}>
        {open && (
          <span className="block rounded-md bg-slate-50 p-2 text-xs leading-relaxed font-normal text-slate-700 ring-1 ring-slate-200">
            {definition}
          </span>
        )}
      </span>
    </span>
  );
}
