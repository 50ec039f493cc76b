import type { CaseService } from './case.service.js';

/** The periodic deadline check; `close` stops it and waits for a run in progress. */
export interface CaseJobs {
  close(): Promise<void>;
}

/**
 * Runs `escalateOverdue` every `intervalMs` (0: never; tests call the service directly with their
 * own clock). Runs do not overlap; a failure is reported and the next run tries again.
 */
export function startCaseJobs(
  service: CaseService,
  options: { intervalMs: number; onError: (error: unknown) => void },
): CaseJobs {
  if (options.intervalMs <= 0) return { close: async () => undefined };
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = service
      .escalateOverdue()
      .then(() => undefined, options.onError)
      .finally(() => {
        running = null;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
