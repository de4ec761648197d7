/**
 * `npm start` runs this before `next start`: the script hook (scripts/lib/server-only-hook.mjs)
 * checks the configuration and exits naming the bad variable, so the server never listens.
 * (A bare `next start` listens first and exits from instrumentation.ts moments later.)
 */
console.log("[clearance] configuration OK");
