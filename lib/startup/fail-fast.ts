import pino from "pino";

import { configurationError } from "../env";
import { createLogger } from "../log";

/** sysexits' EX_CONFIG: the process stopped because of its configuration. */
export const BAD_CONFIGURATION_EXIT = 78;

/**
 * Stops the process, naming each bad variable, before it serves or does
 * anything. Next catches what `register()` throws and starts serving 500s,
 * so throwing is not enough: the server and every script exit here instead.
 */
export function exitOnBadConfiguration(
  source: Record<string, string | undefined> = process.env,
  { json = false }: { json?: boolean } = {},
): void {
  const problem = configurationError(source);
  if (!problem) return;
  // The server logs one JSON line like all its others; a script speaks to the person who ran it.
  if (json)
    createLogger({ destination: pino.destination({ dest: 2, sync: true }) }).fatal(
      `${problem}\nNot starting: fix the variables named above.`,
    );
  else console.error(`[clearance] ${problem}\n[clearance] Not starting: fix the variables named above.`);
  process.exit(BAD_CONFIGURATION_EXIT);
}
