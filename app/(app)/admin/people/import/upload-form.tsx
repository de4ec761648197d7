"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";
import { jobSizeError } from "@/lib/people/import-limits";

/**
 * Sends the chosen file as the request body to the upload route (streamed,
 * up to 50 MB) and opens the import's own page, where the preview appears
 * once the file is validated.
 */
export function UploadForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get("file");
    // With nothing chosen the browser still sends an empty, unnamed file.
    if (!(file instanceof File) || (file.size === 0 && !file.name)) return setError("Choose a CSV file to upload.");
    const tooBig = jobSizeError(file.size);
    if (tooBig) return setError(tooBig);
    setError(null);
    setPending(true);
    try {
      const response = await fetch(`/admin/people/import/upload?name=${encodeURIComponent(file.name)}`, {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: file,
      });
      const body = (await response.json().catch(() => null)) as {
        id?: string;
        error?: { message?: string } | string;
      } | null;
      if (response.ok && body?.id) {
        router.push(`/admin/people/import/${body.id}`);
        return;
      }
      const message = typeof body?.error === "string" ? body.error : body?.error?.message;
      setError(message ?? "The file could not be uploaded. Try again.");
    } catch {
      setError("The file could not be uploaded: the connection failed. Try again.");
    }
    setPending(false);
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <div className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="import-file" className="block text-sm font-medium text-slate-800">
            CSV file
          </label>
          <input
            id="import-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            required
            aria-describedby={error ? "upload-error" : undefined}
            className="mt-1 block text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-50"
          />
        </div>
        <Button type="submit" variant="secondary" disabled={pending}>
          {pending ? "Uploading…" : "Upload and check"}
        </Button>
      </div>
      {error && <Alert id="upload-error">{error}</Alert>}
    </form>
  );
}
