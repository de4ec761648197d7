import { invalidValue } from "./errors";

/** Reads what identity providers send for one value: strings with limits, "True"/"False" as booleans. */

export function text(value: unknown, field: string, max = 256): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw invalidValue(`${field} must be a string.`);
  const trimmed = value.trim();
  if (trimmed.includes("\u0000")) throw invalidValue(`${field} must not contain NUL characters.`);
  if (trimmed.length > max) throw invalidValue(`${field} may be at most ${max} characters.`);
  return trimmed === "" ? null : trimmed;
}

export function bool(value: unknown, field: string): boolean {
  if (typeof value === "boolean") return value;
  // Entra ID sends "True" and "False" as strings.
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === "true";
  throw invalidValue(`${field} must be true or false.`);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A reference sent as "id" or { value: "id" } (Entra ID sends the manager both ways). */
export function reference(value: unknown, field: string): string | null {
  if (isObject(value)) return text(value.value, `${field}.value`, 100);
  if (Array.isArray(value) && value.length === 1) return reference(value[0], field);
  return text(value, field, 100);
}

/** `[{ value: "id" }, …]` (or a single one), as group members are sent. */
export function references(value: unknown, field: string, max = 1000): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length > max) throw invalidValue(`${field} may list at most ${max} values at once.`);
  return list.map((item) => {
    const id = reference(item, field);
    if (!id) throw invalidValue(`${field} must list { "value": id } objects.`);
    return id;
  });
}
