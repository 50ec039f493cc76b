/** A job started by `every`: close() stops the timer and waits for a run in progress. */
export interface PeriodicJob {
  close(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs` (0 or less: never). Runs never overlap: a tick that finds the last
 * run still going is skipped, not queued, so a slow database cannot pile runs up. A failure goes to
 * `onError` and the next tick tries again. The timer does not keep the process alive.
 */
export function every(
  intervalMs: number,
  run: () => Promise<unknown>,
  onError: (error: unknown) => void,
): PeriodicJob {
  if (intervalMs <= 0) return { close: async () => undefined };
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = run()
      .then(() => undefined, onError)
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
