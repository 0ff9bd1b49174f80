// The two emails a sign-up can cause: the confirmation link (new, pending or unsubscribed addresses) and a short
// note with the preferences link (addresses already subscribed). Neither carries anything the person who filled the
// form typed, other than the address itself: a stranger can make us write to an address, but not what we write.
import type { Config } from '../config.js';
import type { Links } from '../links.js';
import type { Mailer } from '../mail/mailer.js';
import { newMessageId } from '../mail/message-options.js';
import { loadEmailTemplate } from '../mail/templates.js';

export const CONFIRM_VALID_DAYS = 7;

interface ConfirmationData {
  confirmUrl: string;
  homeUrl: string;
  topics: string[];
  /** The topics as one line: HTML lists cannot sit between MJML's table rows. */
  topicList: string;
  validDays: number;
}

interface AlreadySubscribedData {
  preferencesUrl: string;
  unsubscribeUrl: string;
  homeUrl: string;
}

export interface SignupMail {
  sendConfirmation(to: string, confirmToken: string, topicNames: string[]): Promise<void>;
  sendAlreadySubscribed(to: string, token: string): Promise<void>;
}

export function createSignupMail(deps: { config: Config; links: Links; mailer: Mailer }): SignupMail {
  const { config, links, mailer } = deps;
  return {
    async sendConfirmation(to, confirmToken, topicNames) {
      const template = await loadEmailTemplate<ConfirmationData>('confirmation');
      const data: ConfirmationData = {
        confirmUrl: links.confirm(confirmToken),
        homeUrl: links.home(),
        topics: topicNames,
        topicList: topicNames.join(', '),
        validDays: CONFIRM_VALID_DAYS,
      };
      await mailer.send({
        to,
        subject: 'Confirm your papermail subscription',
        html: template.html(data),
        text: template.text(data),
        messageId: newMessageId(config, 'confirm'),
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },

    async sendAlreadySubscribed(to, token) {
      const template = await loadEmailTemplate<AlreadySubscribedData>('already-subscribed');
      const data: AlreadySubscribedData = {
        preferencesUrl: links.preferences(token),
        unsubscribeUrl: links.unsubscribe(token),
        homeUrl: links.home(),
      };
      await mailer.send({
        to,
        subject: 'You are already subscribed to papermail',
        html: template.html(data),
        text: template.text(data),
        messageId: newMessageId(config, 'note'),
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },
  };
}
