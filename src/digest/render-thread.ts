// A render thread: composes digest messages (composer.ts sends the work). It holds no database connection and
// no socket, only the compiled templates and the papers of the digests it has been told about.
import { parentPort, workerData } from 'node:worker_threads';
import { type ComposeSettings, createComposeOne } from './compose-digest.js';
import { type RenderReply, serveRendering } from './render-service.js';

/** A render thread also says once that it is ready. */
export type RenderThreadReply = RenderReply | { type: 'ready' };

const port = parentPort!;
serveRendering(port, await createComposeOne(workerData as ComposeSettings));
port.postMessage({ type: 'ready' } satisfies RenderThreadReply);
