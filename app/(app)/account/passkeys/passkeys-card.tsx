"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Alert, Field } from "@/components/ui/field";
import { formatDateTime } from "@/lib/format";
import type { ActionState } from "@/lib/http/action";

import { addPasskey, beginPasskey, removePasskey, renamePasskey } from "./actions";

export type PasskeyRow = { id: string; name: string; createdAt: string; lastUsedAt: string | null };

/** Passkeys on /account: add (the device's prompt), name and remove. */
export function PasskeysCard({ passkeys }: { passkeys: PasskeyRow[] }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [pending, setPending] = useState(false);

  async function add(form: FormData) {
    setPending(true);
    setMessage(null);
    try {
      const begun = await beginPasskey(null, new FormData());
      if (!begun?.ok || typeof begun.data !== "string")
        throw new Error(begun && !begun.ok ? begun.error : "Could not start.");
      const response = await startRegistration({ optionsJSON: JSON.parse(begun.data) });
      const body = new FormData();
      body.set("name", String(form.get("name") ?? ""));
      body.set("response", JSON.stringify(response));
      const added = await addPasskey(null, body);
      if (!added?.ok) throw new Error(added?.fieldErrors?.name?.[0] ?? added?.error ?? "Could not add the passkey.");
      setMessage({ tone: "success", text: added.message ?? "Passkey added." });
      router.refresh();
    } catch (error) {
      // Our own messages are plain Errors; the browser's are named DOMExceptions.
      const name = error instanceof Error ? error.name : "";
      const text =
        name === "NotAllowedError"
          ? "The passkey prompt was closed. Nothing was added."
          : name === "InvalidStateError"
            ? "This device already holds a passkey for your account."
            : name === "Error"
              ? (error as Error).message
              : "Could not add the passkey.";
      setMessage({ tone: "error", text });
    } finally {
      setPending(false);
    }
  }

  /** Rename and remove report here: a removed passkey's row is gone when the answer arrives. */
  function report(state: ActionState) {
    if (!state) return;
    setMessage(
      state.ok
        ? { tone: "success", text: state.message ?? "Done." }
        : { tone: "error", text: state.fieldErrors?.name?.[0] ?? state.error },
    );
    if (state.ok) router.refresh();
  }

  return (
    <Card
      title="Passkeys"
      description="Sign in with your fingerprint, face or device PIN instead of typing a code. A passkey only works on this site, so a fake sign-in page cannot use it."
    >
      <div className="space-y-4 text-sm">
        {message && <Alert tone={message.tone}>{message.text}</Alert>}
        {passkeys.length === 0 ? (
          <p className="text-slate-600">You have no passkeys yet.</p>
        ) : (
          <ul aria-label="Your passkeys" className="divide-y divide-slate-100">
            {passkeys.map((p) => (
              <PasskeyItem key={p.id} passkey={p} onResult={report} />
            ))}
          </ul>
        )}
        <form action={add} className="flex flex-wrap items-end gap-3">
          <div className="min-w-48 flex-1">
            <Field
              id="new-passkey-name"
              label="Name for a new passkey"
              name="name"
              defaultValue="My passkey"
              maxLength={60}
              required
            />
          </div>
          <Button type="submit" disabled={pending}>
            {pending ? "Waiting for your device…" : "Add a passkey"}
          </Button>
        </form>
      </div>
    </Card>
  );
}

function PasskeyItem({ passkey, onResult }: { passkey: PasskeyRow; onResult: (state: ActionState) => void }) {
  const [pending, setPending] = useState(false);
  const run = (act: typeof renamePasskey) => async (form: FormData) => {
    setPending(true);
    onResult(await act(null, form));
    setPending(false);
  };
  return (
    <li className="space-y-2 py-3" data-passkey={passkey.name}>
      <p className="font-medium text-slate-900">{passkey.name}</p>
      <p className="text-xs text-slate-500">
        Added {formatDateTime(new Date(passkey.createdAt))}
        {passkey.lastUsedAt ? `, last used ${formatDateTime(new Date(passkey.lastUsedAt))}` : ", not used yet"}
      </p>
      <div className="flex flex-wrap items-end gap-2">
        <form action={run(renamePasskey)} className="flex items-end gap-2">
          <input type="hidden" name="passkeyId" value={passkey.id} />
          <Field
            id={`passkey-name-${passkey.id}`}
            label={`New name for ${passkey.name}`}
            name="name"
            defaultValue={passkey.name}
            maxLength={60}
            required
          />
          <Button type="submit" variant="secondary" disabled={pending}>
            Rename
          </Button>
        </form>
        <form action={run(removePasskey)}>
          <input type="hidden" name="passkeyId" value={passkey.id} />
          <Button type="submit" variant="secondary" disabled={pending}>
            Remove {passkey.name}
          </Button>
        </form>
      </div>
    </li>
  );
}
