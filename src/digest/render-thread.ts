// A render thread: composes digest messages (composer.ts sends the work). It holds no database connection and
// no socket, only the compiled templates and the papers of the digests it has been told about.
import { parentPort, workerData } from 'node:worker_threads';
import { type ComposedMessage, type ComposeSettings, createComposeOne, type DigestJob } from './compose-digest.js';
import type { PaperView } from './paper-view.js';

export type RenderThreadRequest =
  | { type: 'digest'; digestId: number; day: string; papers: PaperView[] }
  | { type: 'compose'; batch: number; jobs: DigestJob[] };

export type RenderThreadReply =
  | { type: 'ready' }
  | { type: 'composed'; batch: number; messages: ComposedMessage[] }
  | { type: 'failed'; batch: number; error: string };

const port = parentPort!;
const composeOne = await createComposeOne(workerData as ComposeSettings);
const digests = new Map<number, { day: string; papers: Map<string, PaperView> }>();

port.on('message', (request: RenderThreadRequest) => {
  if (request.type === 'digest') {
    digests.set(request.digestId, { day: request.day, papers: new Map(request.papers.map((p) => [p.id, p])) });
    return;
  }
  try {
    const messages = request.jobs.map((job) => composeOne(job, digests.get(job.digestId)!));
    // Copied, not transferred: a small Buffer may share its memory with others (Node's buffer pool).
    port.postMessage({ type: 'composed', batch: request.batch, messages } satisfies RenderThreadReply);
  } catch (err) {
    port.postMessage({
      type: 'failed',
      batch: request.batch,
      error: String((err as Error)?.stack ?? err),
    } satisfies RenderThreadReply);
  }
});
port.postMessage({ type: 'ready' } satisfies RenderThreadReply);
