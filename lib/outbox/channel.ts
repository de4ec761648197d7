import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

import type { Db } from "@/db/client";

/**
 * A channel's queue table. Each channel keeps its own (e-mails in `outbox`,
 * webhook calls in `webhook_deliveries`), with at least these columns under
 * these names; `status` is `sending` while a worker holds the row and
 * `failed` once it has given up.
 */
export type OutboxTable = PgTable & {
  id: PgColumn;
  status: PgColumn;
  attempts: PgColumn;
  nextAttemptAt: PgColumn;
  lastError: PgColumn;
};

/** How the worker reads and records a channel's queue. */
export type OutboxQueue = {
  table: OutboxTable;
  /** The status of a row waiting to be sent (`queued`, `pending`). */
  waiting: string;
  /** The status of a row sent (`sent`, `delivered`). */
  done: string;
  /** The timestamp column (its key in the table) set when a row is sent. */
  doneAt: string;
  /** Claimed first: the oldest by this column. */
  order: PgColumn;
  /** Whether `attempts` counts the successful send too, or only the failures. */
  countsSuccessAsAttempt: boolean;
  /** `last_error` of a row a crashed worker left in `sending`. */
  interrupted: string;
};

/** What the worker needs of every claimed row; a channel selects more. */
export type ClaimedRow = { id: string; attempts: number };

/**
 * The result of one send. `columns` are the channel's own columns to record
 * with it (an HTTP status, say). `attempted: false` means nothing was sent
 * and nothing ever will be (its target is gone): the row fails at once and
 * no attempt is counted.
 */
export type SendOutcome =
  | { ok: true; columns?: Record<string, unknown> }
  | { ok: false; error: string; columns?: Record<string, unknown>; attempted?: false };

/** One claimed batch, ready to send. */
export interface ChannelBatch<Row extends ClaimedRow> {
  /** Sends one row. Never throws: every failure is a short reason fit for admins, free of personal data. */
  send(row: Row): Promise<SendOutcome>;
  /** Releases what `open` took (a connection); called once, after the last send. */
  close(): void;
}

/**
 * One way out of Clearance: e-mail over SMTP, a signed webhook POST, or
 * another receiver of queued messages. The worker (`deliverDue`) recovers,
 * claims, retries and gives up the same way for every channel; a channel
 * only says where its queue is and how to send one row.
 */
export interface OutboxChannel<Row extends ClaimedRow> {
  readonly queue: OutboxQueue;
  /** The columns claimed with each row: everything `send` needs. */
  readonly fields: { [K in keyof Row]: PgColumn };
  /** How many rows of a batch are sent at once. */
  readonly concurrency: number;
  /** False while there is nowhere to send to (no SMTP server configured): the queue is then left untouched. */
  canSend(): boolean | Promise<boolean>;
  /** Prepares a claimed batch: opens a connection, loads what the rows point to. */
  open(batch: Row[], db: Db): Promise<ChannelBatch<Row>>;
}
