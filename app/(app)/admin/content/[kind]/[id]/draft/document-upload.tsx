"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";

import { sendAndReload } from "./send-and-reload";

/** Uploads a policy PDF to the agreement's draft, then reloads the page to show the draft as it now is. */
export function DocumentUpload({ id, replacing }: { id: string; replacing: boolean }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function upload(form: HTMLFormElement) {
    const file = (form.elements.namedItem("pdf") as HTMLInputElement).files?.[0];
    if (!file) return setError("Choose a PDF file first.");
    setPending(true);
    setError(null);
    setError(
      await sendAndReload(`/admin/content/agreement/${id}/document`, {
        method: "POST",
        body: file,
        headers: { "Content-Type": "application/pdf" },
      }),
    );
    setPending(false);
  }
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        void upload(event.currentTarget);
      }}
    >
      <div>
        <label htmlFor="policy-pdf" className="block text-sm font-medium text-slate-800">
          PDF file (at most 10 MB)
        </label>
        <input id="policy-pdf" name="pdf" type="file" accept="application/pdf,.pdf" className="mt-1 block text-sm" />
      </div>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Uploading…" : replacing ? "Replace the PDF" : "Attach the PDF"}
      </Button>
      {error && (
        <div className="w-full">
          <Alert>{error}</Alert>
        </div>
      )}
    </form>
  );
}
