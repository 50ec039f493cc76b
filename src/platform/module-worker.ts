import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `<name>.js` (or `.ts`) that sits beside the calling module.
 *
 * Built, the worker is a .js file. From source (tests, tsx) it is .ts, and on Node 20 a worker does
 * not inherit tsx's loader (not even with execArgv), so a tiny bootstrap loads it through tsx's
 * API; tsx is a dev dependency, present wherever the sources run.
 */
export function startModuleWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const url = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, callerUrl);
  return fromSource
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(callerUrl)}))`,
        { eval: true, workerData },
      )
    : new Worker(url, { workerData });
}
