/** PostgreSQL's SQLSTATE for a unique key that refused a write. */
const UNIQUE_VIOLATION = "23505";

/**
 * Whether a write failed because a unique key refused it: two requests raced
 * past the same check, and the database kept one. The driver's error, or the
 * query builder's wrapper around it, carries the SQLSTATE.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (e: unknown) => (typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined);
  const cause = typeof error === "object" && error !== null ? (error as { cause?: unknown }).cause : undefined;
  return code(error) === UNIQUE_VIOLATION || code(cause) === UNIQUE_VIOLATION;
}
