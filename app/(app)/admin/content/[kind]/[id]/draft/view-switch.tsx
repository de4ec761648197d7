"use client";

import { useRef, type KeyboardEvent, type ReactNode } from "react";

export type View = "form" | "yaml";
const VIEWS: { id: View; label: string }[] = [
  { id: "form", label: "Form" },
  { id: "yaml", label: "YAML" },
];

/** "Form | YAML" tabs over one file: arrow keys, Home and End move between them, as in any tab list. */
export function ViewSwitch({
  view,
  onChange,
  children,
}: {
  view: View;
  onChange: (view: View) => void;
  children: ReactNode;
}) {
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const current = VIEWS.findIndex((v) => v.id === view);
    const next =
      event.key === "ArrowRight"
        ? (current + 1) % VIEWS.length
        : event.key === "ArrowLeft"
          ? (current - 1 + VIEWS.length) % VIEWS.length
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? VIEWS.length - 1
              : -1;
    if (next === -1) return;
    event.preventDefault();
    onChange(VIEWS[next].id);
    tabs.current[next]?.focus();
  }
  return (
    <div>
      <div
        role="tablist"
        aria-label="Edit this file as"
        onKeyDown={onKeyDown}
        className="mt-2 inline-flex rounded-md border border-slate-300 bg-white p-0.5"
      >
        {VIEWS.map((v, i) => (
          <button
            key={v.id}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`view-tab-${v.id}`}
            aria-selected={view === v.id}
            aria-controls={view === v.id ? `view-panel-${v.id}` : undefined}
            tabIndex={view === v.id ? 0 : -1}
            onClick={() => onChange(v.id)}
            className={`rounded px-3 py-1 text-sm font-medium focus-visible:outline-2 focus-visible:outline-brand-600 ${view === v.id ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100"}`}
          >
            {v.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`view-panel-${view}`} aria-labelledby={`view-tab-${view}`} className="mt-3">
        {children}
      </div>
    </div>
  );
}
