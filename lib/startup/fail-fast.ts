import { configurationError } from "../env";

/** sysexits' EX_CONFIG: the process stopped because of its configuration. */
export const BAD_CONFIGURATION_EXIT = 78;

/**
 * Stops the process, naming each bad variable, before it serves or does
 * anything. Next catches what `register()` throws and starts serving 500s,
 * so throwing is not enough: the server and every script exit here instead.
 */
export function exitOnBadConfiguration(source: Record<string, string | undefined> = process.env): void {
  const problem = configurationError(source);
  if (!problem) return;
  console.error(`[clearance] ${problem}\n[clearance] Not starting: fix the variables named above.`);
  process.exit(BAD_CONFIGURATION_EXIT);
}
