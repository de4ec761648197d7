"use server";

import { z } from "zod";

import { confirmMfaEnrolment } from "@/lib/auth/mfa";
import { reissueSession } from "@/lib/auth/session";
import { DomainError } from "@/lib/errors";
import { action } from "@/lib/http/action";

export const confirmMfa = action(
  {
    permission: "action:account/mfa.confirmMfa",
    schema: z.object({
      code: z
        .string()
        .trim()
        .regex(/^\d{6}$/, "Enter the 6-digit code from your app."),
    }),
  },
  async ({ code }, { viewer, audit }) => {
    const result = await confirmMfaEnrolment(viewer, code, audit);
    if (!result.ok) throw new DomainError("invalid_code", result.message);
    // MFA changes what this session may do: the session is replaced, the old cookie stops working.
    await reissueSession(
      viewer.id,
      "password+totp",
      { ip: audit.ip ?? "unknown", userAgent: audit.userAgent ?? null },
      "mfa_changed",
    );
    return { message: "Two-factor authentication is on.", data: result.recoveryCodes };
  },
);
