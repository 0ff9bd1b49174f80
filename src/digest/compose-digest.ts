// Turning one claimed delivery into the bytes that go on the wire: the reader's digest rendered from the compiled
// templates, with the list headers, built as one MIME message. Pure CPU work, the same on the main thread and on a
// render thread (render-thread.ts).
import type { Config } from '../config.js';
import { createFeedbackLinks } from '../feedback/feedback-links.js';
import { createLinks, type Links } from '../links.js';
import { buildMimeMessage } from '../mail/mime-message.js';
import type { PaperView } from './paper-view.js';
import { createDigestRenderer, type DigestRenderer } from './render-digest.js';
import type { DeliveryMatches } from './select-papers.js';

/** What composing needs from a claimed delivery (plain data: it crosses to render threads). */
export interface DigestJob {
  id: number;
  digestId: number;
  email: string;
  token: string;
  messageId: string;
  paperIds: string[];
  matches: DeliveryMatches;
}

/** The digest's day and papers, shared by all its deliveries. */
export interface DigestPapers {
  day: string;
  papers: Map<string, PaperView>;
}

export interface ComposeSettings {
  publicUrl: string;
  listId: string;
  mailFrom: string;
  /** The server secret: feedback links are signed with it. Without it, emails carry none. */
  secret?: string;
  /** The digest template as compileDigestHtml made it, so a render thread never loads MJML. */
  digestHtml?: string;
}

/** The compose settings a sender takes from the config: the same for its own composer and the main thread's. */
export function composeSettingsOf(config: Config, secret?: string, digestHtml?: string): ComposeSettings {
  return { publicUrl: config.publicUrl, listId: config.listId, mailFrom: config.mailFrom, secret, digestHtml };
}

export interface ComposedMessage {
  id: number;
  to: string;
  subject: string;
  messageId: string;
  raw: Buffer;
}

export type ComposeOne = (job: DigestJob, digest: DigestPapers) => ComposedMessage;

export async function createComposeOne(settings: ComposeSettings): Promise<ComposeOne> {
  const links = createLinks(settings.publicUrl);
  const feedback = settings.secret ? createFeedbackLinks(links, settings.secret) : undefined;
  const render = await createDigestRenderer(links, feedback, settings.digestHtml);
  return (job, digest) => composeDigestMessage(render, links, settings, job, digest);
}

export function composeDigestMessage(
  render: DigestRenderer,
  links: Links,
  settings: ComposeSettings,
  job: DigestJob,
  digest: DigestPapers,
): ComposedMessage {
  const message = render({
    day: digest.day,
    papers: digest.papers,
    paperIds: job.paperIds,
    matches: job.matches,
    token: job.token,
    deliveryId: job.id,
  });
  const raw = buildMimeMessage(
    {
      to: job.email,
      subject: message.subject,
      html: message.html,
      text: message.text,
      messageId: job.messageId,
      headers: {
        'List-Id': `papermail daily digest <${settings.listId}>`,
        'List-Unsubscribe': `<${links.unsubscribe(job.token)}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    },
    { from: settings.mailFrom },
  );
  return { id: job.id, to: job.email, subject: message.subject, messageId: job.messageId, raw };
}
