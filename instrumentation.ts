export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./lib/env");
  env(); // fail at start, naming the variable, if configuration is invalid
  const { prepareDatabase } = await import("./db/prepare");
  await prepareDatabase();
}
