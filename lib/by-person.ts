/**
 * Facts by person id, then by an item's key: reports over a whole team look
 * each fact up without building a key string per person and item.
 */
export type ByPerson<T> = Map<string, Map<string, T>>;

export function fileUnder<T>(facts: ByPerson<T>, personId: string, key: string, value: T): void {
  const own = facts.get(personId);
  if (own) own.set(key, value);
  else facts.set(personId, new Map([[key, value]]));
}
