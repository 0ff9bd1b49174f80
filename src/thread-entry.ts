// A worker thread whose entry is a TypeScript file when papermail runs under tsx: the loader has to be registered in
// each thread before the entry loads. Used by the render threads and the sender threads.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Starts `name` (a module next to `base`, .ts or .js as `base` is) in a new thread. */
export function startThread(base: string, name: string, options: WorkerOptions): Worker {
  const entry = new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
  const boot = entry.pathname.endsWith('.ts')
    ? `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(entry.href)});`
    : `await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options);
}
