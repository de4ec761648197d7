"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";

import { mapScimGroup, unmapScimGroup } from "./actions";

type Mapping = {
  id: string;
  clientName: string;
  groupName: string;
  role: string | null;
  department: string | null;
};
type Props = {
  clients: { id: string; name: string }[];
  departments: { id: string; name: string }[];
  mappings: Mapping[];
};

const ROLES = [
  ["manager", "Manager"],
  ["compliance_admin", "Compliance admin"],
  ["auditor", "Auditor"],
] as const;

/** Which identity-provider groups mean a Clearance role or a department; applied at each membership change. */
export function GroupMappings({ clients, departments, mappings }: Props) {
  const [state, formAction, pending] = useActionState(mapScimGroup, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <div className="space-y-5">
      {mappings.length > 0 && (
        <ul className="divide-y divide-slate-100 text-sm" aria-label="Group mappings">
          {mappings.map((m) => (
            <li key={m.id} className="flex items-center justify-between gap-3 py-2">
              <span>
                <span className="text-slate-500">{m.clientName}:</span> <strong>{m.groupName}</strong> →{" "}
                {m.role ? (ROLES.find(([id]) => id === m.role)?.[1] ?? m.role) : `department ${m.department}`}
              </span>
              <RemoveMapping id={m.id} label={`${m.clientName} ${m.groupName}`} />
            </li>
          ))}
        </ul>
      )}
      {clients.length === 0 ? (
        <p className="text-sm text-slate-600">Create an API client with the scim scope first.</p>
      ) : (
        <form action={formAction} className="grid gap-4 sm:grid-cols-3" noValidate>
          {state && (
            <div className="sm:col-span-3">
              <Alert tone={state.ok ? "success" : "error"}>{state.ok ? state.message : state.error}</Alert>
            </div>
          )}
          <div>
            <label htmlFor="mapping-client" className="block text-sm font-medium text-slate-800">
              SCIM client
            </label>
            <select id="mapping-client" name="clientId" className={`mt-1 ${inputClass}`}>
              {clients.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <Field
            label="Group name"
            name="groupName"
            required
            maxLength={256}
            hint="As the identity provider sends it (case does not matter)."
            error={errors?.groupName?.[0]}
            autoComplete="off"
          />
          <div>
            <label htmlFor="mapping-target" className="block text-sm font-medium text-slate-800">
              Members get
            </label>
            <select id="mapping-target" name="target" className={`mt-1 ${inputClass}`}>
              {ROLES.map(([id, label]) => (
                <option key={id} value={`role:${id}`}>
                  Role: {label}
                </option>
              ))}
              {departments.map((d) => (
                <option key={d.id} value={`department:${d.id}`}>
                  Department: {d.name}
                </option>
              ))}
            </select>
          </div>
          <div className="sm:col-span-3">
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : "Map group"}
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}

function RemoveMapping({ id, label }: { id: string; label: string }) {
  const [state, formAction, pending] = useActionState(unmapScimGroup, null);
  return (
    <form action={formAction}>
      <input type="hidden" name="id" value={id} />
      <Button
        type="submit"
        variant="secondary"
        className="px-3 py-1.5"
        disabled={pending}
        aria-label={`Remove mapping ${label}`}
      >
        Remove
      </Button>
      {state && !state.ok && (
        <p role="alert" className="text-sm text-red-700">
          {state.error}
        </p>
      )}
    </form>
  );
}
