"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { MAX_VERIFY_UPLOAD_BYTES, UPLOAD_MESSAGES, type UploadState } from "@/lib/agreements/verify-limits";

/** Sends the PDF to the upload route; a file over the limit is refused here without sending it. */
async function verifyUpload(_: UploadState, formData: FormData): Promise<UploadState> {
  const file = formData.get("document");
  if (!(file instanceof File) || file.size === 0) return { error: UPLOAD_MESSAGES.missing };
  if (file.size > MAX_VERIFY_UPLOAD_BYTES) return { error: UPLOAD_MESSAGES.tooLarge };
  try {
    const response = await fetch("/verify/upload", { method: "POST", body: formData });
    return (await response.json()) as UploadState;
  } catch {
    return { error: UPLOAD_MESSAGES.unreachable };
  }
}

export function VerifyUploadForm() {
  const [state, formAction, pending] = useActionState(verifyUpload, null);
  return (
    <form action={formAction} className="space-y-3">
      <div>
        <label htmlFor="document" className="block text-sm font-medium text-slate-800">
          Signed agreement or certificate (PDF)
        </label>
        <input
          id="document"
          name="document"
          type="file"
          accept="application/pdf,.pdf"
          required
          className="mt-1 block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-brand-50 file:px-3 file:py-2 file:text-brand-800"
        />
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Checking…" : "Check document"}
      </Button>
      {state && "error" in state && (
        <p role="alert" className="text-sm text-red-700">
          {state.error}
        </p>
      )}
      {state && "message" in state && (
        <div
          role="status"
          data-testid="document-verdict"
          className={`rounded-lg border p-4 text-sm font-medium ${state.authentic ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-900"}`}
        >
          {state.message}
        </div>
      )}
      {state && "seal" in state && state.seal && (
        <p data-testid="seal-level" className="text-sm text-slate-700">
          {state.seal}
        </p>
      )}
    </form>
  );
}
