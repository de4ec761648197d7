"use client";

import { useActionState, useState } from "react";

import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";

import { copyLink } from "./actions";

/**
 * Makes a new signing link for the admin to pass on by another channel (say, when no email can be sent).
 * The signer still confirms a code emailed to the contact, which admins can read in the outbox.
 */
export function CopyLink({ requestId, partnerName }: { requestId: string; partnerName: string }) {
  const [state, formAction, pending] = useActionState(copyLink, null);
  const [copied, setCopied] = useState(false);
  const url = state?.ok ? state.data?.url : undefined;
  const fieldId = `signing-link-${requestId}`;
  return (
    <div className="flex w-full flex-col gap-2">
      {!url && (
        <form action={formAction}>
          <input type="hidden" name="requestId" value={requestId} />
          <Button type="submit" variant="secondary" disabled={pending}>
            {pending ? "Making a link…" : "Copy signing link"}
          </Button>
        </form>
      )}
      {state && !state.ok && (
        <p role="alert" className="max-w-md text-sm text-red-700">
          {state.error}
        </p>
      )}
      {url && (
        <div className="w-full max-w-xl space-y-2">
          <label htmlFor={fieldId} className="block text-sm font-medium text-slate-800">
            Signing link for {partnerName}
          </label>
          <div className="flex gap-2">
            <input
              id={fieldId}
              readOnly
              value={url}
              className={`${inputClass} font-mono text-xs`}
              onFocus={(e) => e.currentTarget.select()}
            />
            <Button
              type="button"
              variant="secondary"
              onClick={async () => {
                await navigator.clipboard?.writeText(url).catch(() => undefined);
                setCopied(true);
              }}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
          <p role="status" className="text-xs text-slate-600">
            {state?.ok && state.message} Send it to the contact only: they must also enter a code emailed to their
            address (see the outbox).
          </p>
        </div>
      )}
    </div>
  );
}
