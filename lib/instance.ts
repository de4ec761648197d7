import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

const state = globalThis as unknown as { __clearanceInstanceId?: string };

/**
 * This process's name in logs, metrics and the database's session list: the
 * host, the pid and a few random characters (a restarted container may reuse
 * both), at most 63 characters as PostgreSQL's application_name allows.
 */
export function instanceId(): string {
  state.__clearanceInstanceId ??= `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString("hex")}`;
  return state.__clearanceInstanceId;
}

/** The application_name this process's PostgreSQL connections carry, so /metrics can count them in pg_stat_activity. */
export const applicationName = () => `clearance ${instanceId()}`.slice(0, 63);
