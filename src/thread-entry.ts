// A worker thread whose entry is a TypeScript file when papermail runs under tsx: the loader has to be registered in
// each thread before the entry loads. Used by the render, sender and MJML threads.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Every thread's heap is capped. V8 grows an isolate's heap lazily while nothing presses it: at 100,000 readers the
 * two sender threads and their two render threads each held ~125 MB, mostly garbage, and the process sat at ~980 MB
 * while sending. A sender thread's live heap measured 33–41 MB there (batches of 500, four held at most), so 96 MB
 * leaves room; a smaller young generation (V8's default is 48 MB per isolate) costs a few more scavenges.
 */
export const THREAD_HEAP = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 } as const;

/** Starts `name` (a module next to `base`, .ts or .js as `base` is) in a new thread. */
export function startThread(base: string, name: string, options: WorkerOptions): Worker {
  const entry = new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
  const boot = entry.pathname.endsWith('.ts')
    ? `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(entry.href)});`
    : `await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), {
    resourceLimits: THREAD_HEAP,
    ...options,
  });
}
