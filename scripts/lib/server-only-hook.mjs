// Command-line scripts run the same lib/ code as the server. `server-only`
// throws outside React's server bundle, so here it resolves to an empty module.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export{}", shortCircuit: true };
  return next(specifier, context);
}`),
  import.meta.url,
);

// Every script checks the configuration before it starts, as the server does, and exits naming the bad variable.
const { exitOnBadConfiguration } = await import("../../lib/startup/fail-fast.ts");
exitOnBadConfiguration();
