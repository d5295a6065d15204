/**
 * What the entry points and the shutdown path share about telemetry, without loading the SDK:
 * a flush registered when tracing was started, and nothing otherwise.
 */
let flush: (() => Promise<void>) | undefined;

export const onTelemetryShutdown = (fn: () => Promise<void>): void => {
  flush = fn;
};

/** Exports what is buffered; resolves within timeoutMs whatever the exporter does. */
export async function shutdownTelemetry(timeoutMs = 2000): Promise<void> {
  if (!flush) return;
  await Promise.race([
    flush().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
  ]);
}
