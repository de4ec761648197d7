/**
 * Lets the process answer its other requests before going on. An await on the
 * embedded database or on a render resolves as a microtask and never gives
 * way to network events: a long loop of them holds every request behind it.
 */
export function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
