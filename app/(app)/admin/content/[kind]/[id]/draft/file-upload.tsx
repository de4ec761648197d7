"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";

import { sendAndReload } from "./send-and-reload";

/** Uploads one file to a draft's upload route as the request body, then reloads the page to show the draft as it now is. */
export function FileUpload({
  url,
  inputId,
  label,
  accept,
  contentType,
  chooseFirst,
  submitLabel,
  pendingLabel = "Uploading…",
}: {
  url: string;
  inputId: string;
  label: string;
  accept: string;
  contentType: string;
  chooseFirst: string;
  submitLabel: string;
  pendingLabel?: string;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function upload(form: HTMLFormElement) {
    const file = (form.elements.namedItem("file") as HTMLInputElement).files?.[0];
    if (!file) return setError(chooseFirst);
    setPending(true);
    setError(null);
    setError(await sendAndReload(url, { method: "POST", body: file, headers: { "Content-Type": contentType } }));
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
        <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
          {label}
        </label>
        <input id={inputId} name="file" type="file" accept={accept} className="mt-1 block text-sm" />
      </div>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? pendingLabel : submitLabel}
      </Button>
      {pending && (
        <p role="status" className="w-full text-sm text-slate-600">
          {pendingLabel}
        </p>
      )}
      {error && (
        <div className="w-full">
          <Alert>{error}</Alert>
        </div>
      )}
    </form>
  );
}
