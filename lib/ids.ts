import { z } from "zod";

/**
 * Record ids are UUIDs, made by the database or `randomUUID`. Checking the shape before a query keeps a
 * malformed id from reaching a uuid column, where PostgreSQL would fail the whole statement.
 */
export function uuidSchema(message?: string) {
  return z.uuid(message);
}

const anyUuid = uuidSchema();

export function isUuid(value: string): boolean {
  // Every UUID has 36 characters: anything else (an e-mail address, mostly) is answered without a failed parse.
  return value.length === 36 && anyUuid.safeParse(value).success;
}
