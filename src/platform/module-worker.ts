import { Worker } from 'node:worker_threads';

/**
 * The URL of the module `<name>.js` (or `.ts`) that sits beside the calling module: `.ts` when the
 * caller runs from source (tests, tsx), `.js` when built.
 */
export function moduleBeside(callerUrl: string, name: string): URL {
  return new URL(`./${name}.${callerUrl.endsWith('.ts') ? 'ts' : 'js'}`, callerUrl);
}

/**
 * Starts the worker module `<name>.js` (or `.ts`) that sits beside the calling module.
 *
 * Built, the worker is a .js file. From source (tests, tsx) it is .ts, and on Node 20 a worker does
 * not inherit tsx's loader (not even with execArgv), so a tiny bootstrap loads it through tsx's
 * API; tsx is a dev dependency, present wherever the sources run. Modules the worker imports
 * (statically or with import()) load through the same loader.
 */
export function startModuleWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  const url = moduleBeside(callerUrl, name);
  return callerUrl.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(callerUrl)}))`,
        { eval: true, workerData },
      )
    : new Worker(url, { workerData });
}
