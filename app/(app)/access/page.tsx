import type { Metadata } from "next";
import Link from "next/link";

import { Badge, type Tone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/card";
import { myAccess, type RoleState, type RoleView } from "@/lib/access/my-access";
import { requireViewer } from "@/lib/auth/gate";
import { may } from "@/lib/auth/permissions";
import { formatDate, plural } from "@/lib/format";

import { RequestRoleForm } from "./request-form";

export const metadata: Metadata = { title: "My access" };

const stateLabel: Record<RoleState, [string, Tone]> = {
  held: ["Held", "success"],
  blocked: ["Approved, blocked", "warning"],
  requested: ["Requested", "info"],
  not_requested: ["Not requested", "neutral"],
};

/** One line on where the role stands, beside its badge. */
function standing({ state, decision, pending, grant, lastOutcome }: RoleView): string | null {
  if (state === "held")
    return `You hold this role${decision.valid_until ? ` until ${formatDate(decision.valid_until)}, unless renewed` : ""}.`;
  if (state === "blocked")
    return `Approved${grant?.endsAt ? ` until ${formatDate(grant.endsAt)}` : ""}; it takes effect once you:`;
  if (state === "requested" && pending) return `Requested ${formatDate(pending.requestedAt)}; waiting for approval.`;
  if (lastOutcome)
    return `Last request ${lastOutcome.status}${lastOutcome.at ? ` on ${formatDate(lastOutcome.at)}` : ""}${lastOutcome.comment ? `: “${lastOutcome.comment}”` : "."}`;
  return null;
}

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
      <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white shadow-sm">
        {roles.map((view) => {
          const { role, state, missing } = view;
          const line = standing(view);
          const next = missing.find((m) => m.href);
          return (
            <li key={role.id} id={`role-${role.id}`} className="scroll-mt-4 px-4 py-4 sm:px-5" data-role={role.id}>
              <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
                <div className="min-w-0 flex-1 basis-64">
                  <div className="flex flex-wrap items-center gap-2">
                    <h2 className="font-semibold text-slate-900">{role.name}</h2>
                    <Badge tone={stateLabel[state][1]}>{stateLabel[state][0]}</Badge>
                  </div>
                  <p className="mt-0.5 text-sm text-slate-600">
                    {role.description}{" "}
                    <span className="text-slate-500">
                      Approved by {role.approver === "manager" ? "your manager" : "the compliance team"}, for up to{" "}
                      {plural(role.maxGrantDays, "day")}.
                    </span>
                  </p>
                  {line && (
                    <p className={`mt-2 text-sm ${state === "held" ? "text-emerald-800" : "text-slate-700"}`}>{line}</p>
                  )}
                  {missing.length > 0 && (
                    <div className="mt-2 text-sm">
                      {state !== "blocked" && <p className="font-medium text-slate-800">Needed first:</p>}
                      <ul className="mt-1 flex flex-wrap gap-x-4 gap-y-1" aria-label={`What ${role.name} needs`}>
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
                </div>
                {state === "blocked" && next?.href && (
                  <Link href={next.href} className={buttonClass("secondary", "whitespace-nowrap")}>
                    {next.reason.startsWith("agreement_") ? "Sign now" : "Start training"}
                  </Link>
                )}
              </div>
              {state === "not_requested" && (
                <RequestRoleForm roleId={role.id} roleName={role.name} blocked={missing.length > 0} />
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
