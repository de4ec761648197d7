"use server";

import { revalidatePath } from "next/cache";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";

import { emailCadences } from "@/db/schema";
import { sessionCookie } from "@/lib/auth/options";
import { signOutEverywhere, signOutSession } from "@/lib/auth/sessions";
import { env } from "@/lib/env";
import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";
import { setMyEmailCadence } from "@/lib/notify/cadence";

export const endSession = action(
  {
    permission: "action:account.endSession",
    schema: z.object({ sessionId: uuidSchema("Choose a session to sign out.") }),
  },
  async ({ sessionId }, { viewer, audit }) => {
    await signOutSession(viewer, sessionId, audit);
    revalidatePath("/account");
    return { message: "That session is signed out. The browser that held it must sign in again." };
  },
);

export const endAllSessions = action(
  { permission: "action:account.endAllSessions", schema: z.object({}) },
  async (_input, { viewer, audit }) => {
    await signOutEverywhere(viewer, audit);
    (await cookies()).delete(sessionCookie(env().APP_URL).name);
    redirect("/signin?signedOut=1");
  },
);

export const saveEmailCadence = action(
  {
    permission: "action:account.saveEmailCadence",
    schema: z.object({ cadence: z.enum(["organisation", ...emailCadences], "Choose how often to receive email.") }),
  },
  async ({ cadence }, { viewer, audit }) => {
    await setMyEmailCadence(viewer, audit, cadence === "organisation" ? null : cadence);
    revalidatePath("/account");
    return { message: "Email preference saved." };
  },
);
