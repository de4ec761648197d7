"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";

/** Copies a text to the clipboard and says so to sighted and screen-reader users alike. */
export function CopyButton({
  text,
  label = "Copy",
  accessibleName,
  variant = "secondary",
}: {
  text: string;
  label?: string;
  accessibleName?: string;
  variant?: "primary" | "secondary";
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  }
  return (
    <span className="inline-flex items-center gap-2">
      <Button type="button" variant={variant} onClick={copy} className="px-3 py-1.5" aria-label={accessibleName}>
        {label}
      </Button>
      <span role="status" className="text-xs text-slate-600">
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed: select the text and copy it" : ""}
      </span>
    </span>
  );
}
