import type { Metadata } from "next";
import Link from "next/link";

import { Badge, type Tone } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/card";
import { myAccess, type RoleState } from "@/lib/access/my-access";
import { requireViewer } from "@/lib/auth/gate";
import { may } from "@/lib/auth/permissions";
import { formatDate } from "@/lib/format";

import { RequestRoleForm } from "./request-form";

export const metadata: Metadata = { title: "My access" };

const stateLabel: Record<RoleState, [string, Tone]> = {
  held: ["Held", "success"],
  blocked: ["Blocked", "danger"],
  requested: ["Requested", "info"],
  not_requested: ["Not requested", "neutral"],
};

export default async function AccessPage() {
  const viewer = await requireViewer("page:/access");
  const roles = await myAccess(viewer);
  return (
    <>
      <PageHeader
        title="My access"
        description="Data-access roles are granted only while your training and agreements are current. Other systems check this page's answer live before they let you in."
        actions={
          may(viewer, "approve_access") ? (
            <Link href="/access/approvals" className="text-sm font-medium text-brand-700 underline underline-offset-2">
              Approvals
            </Link>
          ) : undefined
        }
      />
      <ul className="space-y-4">
        {roles.map(({ role, state, decision, missing, pending, grant, lastOutcome }) => (
          <li key={role.id} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-role={role.id}>
            <div className="flex flex-wrap items-start justify-between gap-3">
              <div>
                <h2 className="font-semibold text-slate-900">{role.name}</h2>
                <p className="mt-1 max-w-2xl text-sm text-slate-600">{role.description}</p>
                <p className="mt-1 text-xs text-slate-500">
                  Approved by {role.approver === "manager" ? "your manager" : "the compliance team"} · up to{" "}
                  {role.maxGrantDays} days
                </p>
              </div>
              <Badge tone={stateLabel[state][1]}>{stateLabel[state][0]}</Badge>
            </div>
            {state === "held" && (
              <p className="mt-3 text-sm text-emerald-800">
                You hold this role
                {decision.valid_until ? ` until ${formatDate(decision.valid_until)}, unless renewed` : ""}.
              </p>
            )}
            {missing.length > 0 && (
              <div className="mt-3">
                <p className="text-sm font-medium text-slate-800">
                  {state === "blocked" ? "Blocked until you:" : "Requirements still open:"}
                </p>
                <ul className="mt-1 list-disc space-y-1 pl-5 text-sm text-slate-700">
                  {missing.map((m) => (
                    <li key={m.reason}>
                      {m.href ? (
                        <Link href={m.href} className="text-brand-700 underline underline-offset-2">
                          {m.text}
                        </Link>
                      ) : (
                        m.text
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {pending && (
              <p className="mt-3 text-sm text-slate-600">
                Requested {formatDate(pending.requestedAt)}; waiting for approval.
              </p>
            )}
            {grant?.endsAt && state !== "held" && (
              <p className="mt-3 text-sm text-slate-600">Grant approved until {formatDate(grant.endsAt)}.</p>
            )}
            {lastOutcome && state === "not_requested" && (
              <p className="mt-3 text-sm text-slate-600">
                Last request {lastOutcome.status}
                {lastOutcome.at ? ` on ${formatDate(lastOutcome.at)}` : ""}
                {lastOutcome.comment ? `: “${lastOutcome.comment}”` : "."}
              </p>
            )}
            {state === "not_requested" && (
              <div className="mt-4 max-w-xl">
                <RequestRoleForm roleId={role.id} roleName={role.name} blockedUntil={missing.map((m) => m.text)} />
              </div>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
