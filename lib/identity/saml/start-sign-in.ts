import { newRequestId, serviceProvider } from "./service-provider";
import type { SamlSettings } from "./settings";

/** saml-bindings §3.4.3: RelayState must not exceed 80 bytes. */
const MAX_RELAY_STATE_BYTES = 80;

/**
 * Starts an SP-initiated sign-in: an AuthnRequest for the HTTP-Redirect
 * binding. The caller stores `requestId` bound to this browser (a short-lived
 * cookie or a row keyed by one) and passes it to `verifyResponse` as
 * `expectedRequestId`. `relayState` should be an opaque random value that
 * the caller maps to where to go afterwards, never a URL.
 */
export async function startSignIn(
  settings: SamlSettings,
  { relayState }: { relayState: string },
): Promise<{ redirectUrl: string; requestId: string }> {
  if (Buffer.byteLength(relayState) > MAX_RELAY_STATE_BYTES) throw new TypeError("RelayState longer than 80 bytes");
  const requestId = newRequestId();
  const redirectUrl = await serviceProvider(settings, requestId).getAuthorizeUrlAsync(relayState, undefined, {});
  return { redirectUrl, requestId };
}
