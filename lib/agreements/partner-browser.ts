import "server-only";

import { cookies } from "next/headers";

import { sessionCookie } from "@/lib/auth/options";
import { env } from "@/lib/env";

/**
 * The cookie that ties a confirmed signing link to the browser that entered
 * the emailed code: scripts cannot read it, cross-site subrequests do not
 * carry it, and it goes only to that link's own page. Secure whenever the
 * session cookie is (the app is served over https).
 */
export function partnerBrowserCookie(token: string, appUrl: string, expires: Date) {
  const { secure } = sessionCookie(appUrl).options;
  return {
    name: `${secure ? "__Secure-" : ""}clearance-partner-signer`,
    options: { httpOnly: true, sameSite: "lax" as const, secure, path: `/partner-sign/${token}`, expires },
  };
}

/** The secret this browser received when it confirmed a code for the link, if any. */
export async function partnerBrowserKey(token: string): Promise<string | null> {
  return (await cookies()).get(partnerBrowserCookie(token, env().APP_URL, new Date()).name)?.value ?? null;
}

/** Gives this browser the secret of a confirmed link, until the link itself expires. */
export async function keepPartnerBrowserKey(token: string, browserKey: string, expires: Date): Promise<void> {
  const cookie = partnerBrowserCookie(token, env().APP_URL, expires);
  (await cookies()).set(cookie.name, browserKey, cookie.options);
}
