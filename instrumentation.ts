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
  const { trackInFlight } = await import("./lib/lifecycle/in-flight");
  trackInFlight();
  const { prepareDatabase } = await import("./db/prepare");
  await prepareDatabase();
  // Courses and agreements published on another instance are served here within CONTENT_REFRESH_SECONDS.
  const { startContentRefresh } = await import("./lib/content/published");
  const { getDb } = await import("./db/client");
  startContentRefresh(getDb, config.CONTENT_REFRESH_SECONDS);
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
  // Readiness turns 503 on SIGTERM; with NEXT_MANUAL_SIG_HANDLE (npm start, the container image) the app then drains and exits 0.
  const { installShutdownHandlers } = await import("./lib/lifecycle/app-shutdown");
  const { stopInProcessScheduler } = await import("./lib/scheduler/tick");
  const { closeDatabase } = await import("./db/client");
  installShutdownHandlers(config.NEXT_MANUAL_SIG_HANDLE !== undefined, {
    delayMs: config.SHUTDOWN_DELAY_SECONDS * 1000,
    timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    stopScheduler: stopInProcessScheduler,
    closeDatabase,
  });
}
