"use client";

import { useEffect, useId, useRef, useState } from "react";

/**
 * A figure's definition behind a small "i" button (a toggletip): the button
 * names the figure, pressing it shows the definition in a live region so
 * screen readers read it, and Escape or a click elsewhere hides it again.
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
    <span ref={root} className="relative inline-block align-middle">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={id}
        aria-label={`What ${figure} counts`}
        onClick={() => setOpen((v) => !v)}
        className="ml-1 inline-flex h-5 w-5 items-center justify-center rounded-full border border-slate-300 text-xs font-semibold text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
      >
        i
      </button>
      <span id={id} role="status" className={open ? "" : "sr-only"}>
        {open && (
          <span className="absolute left-0 top-7 z-20 block w-64 rounded-lg border border-slate-200 bg-white p-3 text-left text-xs font-normal leading-relaxed text-slate-700 shadow-lg">
            {definition}
          </span>
        )}
      </span>
    </span>
  );
}
