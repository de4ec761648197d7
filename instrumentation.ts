export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { exitOnBadConfiguration } = await import("./lib/startup/fail-fast");
  exitOnBadConfiguration(process.env, { json: true }); // exits (non-zero, naming the variable) before anything is served
  const { defaultAuthUrl, env } = await import("./lib/env");
  defaultAuthUrl();
  const config = env();
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) {
    // Loaded only when configured: without a collector no tracing code is imported.
    const { registerOTel } = await import("@vercel/otel");
    registerOTel({ serviceName: config.OTEL_SERVICE_NAME });
  }
  const { installPeerAddress } = await import("./lib/http/peer-address");
  installPeerAddress();
  const { prepareDatabase } = await import("./db/prepare");
  await prepareDatabase();
  // The embedded database belongs to this process, so it also runs the scheduled work;
  // with PostgreSQL, run `npm run worker` (or POST /api/cron/tick) unless SCHEDULER=in-process.
  const scheduler = config.SCHEDULER ?? (config.DATABASE_URL ? "off" : "in-process");
  if (config.ACCESS_API_PORT) {
    const { startDecisionServer } = await import("./lib/access/listener/decision-server");
    await startDecisionServer(config.ACCESS_API_PORT, config.ACCESS_API_HOST);
    const { log } = await import("./lib/log");
    log().info({ host: config.ACCESS_API_HOST, port: config.ACCESS_API_PORT }, "decision listener started");
  }
  if (scheduler === "in-process") {
    const { startInProcessScheduler } = await import("./lib/scheduler/tick");
    startInProcessScheduler();
  }
}
