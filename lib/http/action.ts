import "server-only";

import { unstable_rethrow } from "next/navigation";
import { z } from "zod";

import type { AuditContext } from "@/lib/audit/record";
import { gate, type ActionKey, type Refusal } from "@/lib/auth/permissions";
import { auditContext, getViewer, type Viewer } from "@/lib/auth/viewer";
import { DomainError, FieldError } from "@/lib/errors";
import { log } from "@/lib/log";

import { withCurrentRequestLog } from "./request-log";

export type ActionState<T = unknown> =
  | { ok: true; data?: T; message?: string }
  | { ok: false; error: string; fieldErrors?: Record<string, string[]> }
  | null;

type Rejected = Extract<ActionState, { ok: false }>;

const NUL = "\u0000";

/**
 * The submitted fields as a plain object; a repeated field becomes a list.
 * Object.fromEntries defines own properties, so a field named "__proto__"
 * stays a field. NUL comes from no keyboard and PostgreSQL refuses it in
 * text, so a field holding one is refused here rather than failing a query.
 */
export function readForm(
  formData: FormData,
): { ok: true; input: Record<string, unknown> } | { ok: false; state: Rejected } {
  const keys = Array.from(new Set(formData.keys())).filter((key) => !key.startsWith("$ACTION"));
  const withNul = keys.filter(
    (key) => key.includes(NUL) || formData.getAll(key).some((v) => typeof v === "string" && v.includes(NUL)),
  );
  if (withNul.length) {
    const fieldErrors = Object.fromEntries(
      withNul.map((key) => [key, ["Remove the invisible control character from this field."]]),
    );
    return { ok: false, state: { ok: false, error: "Please correct the highlighted fields.", fieldErrors } };
  }
  const input = Object.fromEntries(
    keys.map((key) => {
      const values = formData.getAll(key);
      return [key, values.length > 1 ? values : values[0]];
    }),
  );
  return { ok: true, input };
}

/** `permission` names the action's entry in lib/auth/permissions.ts: who may run it, and whether before MFA enrolment. */
type Options<S extends z.ZodType> = { permission: ActionKey; schema: S };

const REFUSALS: Record<Refusal, string> = {
  signed_out: "Your session has ended. Sign in again.",
  mfa_required: "Turn on two-factor authentication first.",
  forbidden: "You do not have permission to do that.",
};

/**
 * Every Server Action is a public endpoint: this wrapper passes the caller
 * through the gate, validates the form with zod and turns expected failures
 * into messages. Unexpected errors are logged without their details reaching the user.
 */
export function action<S extends z.ZodType, T>(
  options: Options<S>,
  handler: (
    input: z.infer<S>,
    ctx: { viewer: Viewer; audit: AuditContext },
  ) => Promise<T | { message: string; data?: T }>,
) {
  const run = async (formData: FormData): Promise<ActionState<T>> => {
    const viewer = await getViewer();
    const verdict = gate(viewer, options.permission);
    if (!verdict.ok || !viewer) return { ok: false, error: REFUSALS[verdict.ok ? "signed_out" : verdict.refusal] };
    const form = readForm(formData);
    if (!form.ok) return form.state;
    const parsed = options.schema.safeParse(form.input);
    if (!parsed.success) {
      const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[]>;
      return { ok: false, error: "Please correct the highlighted fields.", fieldErrors };
    }
    try {
      const result = await handler(parsed.data, { viewer, audit: await auditContext(viewer) });
      if (result && typeof result === "object" && "message" in result)
        return { ok: true, ...(result as { message: string; data?: T }) };
      return { ok: true, data: result as T };
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof FieldError)
        return {
          ok: false,
          error: "Please correct the highlighted fields.",
          fieldErrors: { [error.field]: [error.message] },
        };
      if (error instanceof DomainError) return { ok: false, error: error.message };
      log().error({ err: error, action: options.permission }, "action failed");
      return { ok: false, error: "Something went wrong. Nothing was changed; please try again." };
    }
  };
  // Every line logged while the action runs carries the request's id (proxy.ts).
  return (_previous: ActionState, formData: FormData): Promise<ActionState<T>> =>
    withCurrentRequestLog(() => run(formData));
}
