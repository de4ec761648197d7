"use client";

import { useActionState } from "react";

import type { AppRole, PersonStatus } from "@/db/schema";

import { changeRoles, changeStatus } from "./actions";

const ROLE_LABELS: Record<Exclude<AppRole, "employee">, string> = {
  manager: "Manager",
  compliance_admin: "Compliance admin",
  auditor: "Auditor",
};

export function PersonControls({
  personId,
  name,
  status,
  roles,
  showRoles = true,
}: {
  personId: string;
  name: string;
  status: PersonStatus;
  roles: AppRole[];
  showRoles?: boolean;
}) {
  const [statusState, statusAction, statusPending] = useActionState(changeStatus, null);
  const [rolesState, rolesAction, rolesPending] = useActionState(changeRoles, null);
  const message = [statusState, rolesState].find((s) => s && !s.ok);
  return (
    <div className="flex flex-wrap items-center gap-3">
      <form action={statusAction} className="flex items-center gap-2">
        <input type="hidden" name="personId" value={personId} />
        <label className="sr-only" htmlFor={`status-${personId}`}>
          Status of {name}
        </label>
        <select
          id={`status-${personId}`}
          name="status"
          defaultValue={status}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
        >
          <option value="active">Active</option>
          <option value="suspended">Suspended</option>
          <option value="departed">Departed</option>
        </select>
        <button
          type="submit"
          disabled={statusPending}
          className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-50"
        >
          {statusPending ? "Saving…" : "Set status"}
        </button>
      </form>
      {showRoles && (
        <form action={rolesAction} className="flex flex-wrap items-center gap-2">
          <input type="hidden" name="personId" value={personId} />
          <fieldset className="flex flex-wrap gap-2">
            <legend className="sr-only">Roles of {name}</legend>
            {(Object.keys(ROLE_LABELS) as (keyof typeof ROLE_LABELS)[]).map((role) => (
              <label key={role} className="flex items-center gap-1 text-xs text-slate-700">
                <input
                  type="checkbox"
                  name="roles"
                  value={role}
                  defaultChecked={roles.includes(role)}
                  className="rounded border-slate-300"
                />
                {ROLE_LABELS[role]}
              </label>
            ))}
          </fieldset>
          <button
            type="submit"
            disabled={rolesPending}
            className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-50"
          >
            {rolesPending ? "Saving…" : "Save roles"}
          </button>
        </form>
      )}
      {statusState?.ok && !showRoles && (
        <p role="status" className="w-full text-sm text-emerald-800">
          {statusState.message}
        </p>
      )}
      {message && !message.ok && (
        <p role="alert" className="w-full text-sm text-red-700">
          {message.error}
        </p>
      )}
    </div>
  );
}
