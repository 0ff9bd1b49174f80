// The two emails a sign-up can cause: the confirmation link (new, pending or unsubscribed addresses) and a short
// note with the preferences link (addresses already subscribed). Neither carries anything the person who filled the
// form typed, other than the address itself: a stranger can make us write to an address, but not what we write.
import type { Links } from '../links.js';
import type { Mailer } from '../mail/mailer.js';
import type { EmailTemplate } from '../mail/templates.js';

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

/** Both take the Message-ID the sign-up queue chose at its first claim, so a resend after a crash keeps it. */
export interface SignupMail {
  sendConfirmation(to: string, confirmToken: string, topicNames: string[], messageId: string): Promise<void>;
  sendAlreadySubscribed(to: string, token: string, messageId: string): Promise<void>;
}

/** The compiled template NAME. The template module (and MJML, seconds to import) loads at the first email only. */
async function template<T>(name: string): Promise<EmailTemplate<T>> {
  const { loadEmailTemplate } = await import('../mail/templates.js');
  return loadEmailTemplate<T>(name);
}

export function createSignupMail(deps: { links: Links; mailer: Mailer }): SignupMail {
  const { links, mailer } = deps;
  return {
    async sendConfirmation(to, confirmToken, topicNames, messageId) {
      const confirmation = await template<ConfirmationData>('confirmation');
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
        html: confirmation.html(data),
        text: confirmation.text(data),
        messageId,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },

    async sendAlreadySubscribed(to, token, messageId) {
      const note = await template<AlreadySubscribedData>('already-subscribed');
      const data: AlreadySubscribedData = {
        preferencesUrl: links.preferences(token),
        unsubscribeUrl: links.unsubscribe(token),
        homeUrl: links.home(),
      };
      await mailer.send({
        to,
        subject: 'You are already subscribed to papermail',
        html: note.html(data),
        text: note.text(data),
        messageId,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },
  };
}
