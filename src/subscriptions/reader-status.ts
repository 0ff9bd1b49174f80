// A reader's status, as stored (the subscriber_status enum), and what each one means to the reader.
export type ReaderStatus = 'pending' | 'active' | 'paused' | 'unsubscribed' | 'bounced' | 'complained';

/** A sentence for pages: what this status means for the reader's mailbox. */
export function describeStatus(status: ReaderStatus): string {
  switch (status) {
    case 'pending':
      return 'Waiting for you to confirm: no digests until you do.';
    case 'active':
      return 'Active: you get a digest whenever there are papers for you.';
    case 'paused':
      return 'Paused: no digests until you resume.';
    case 'unsubscribed':
      return 'Unsubscribed: you get no digests.';
    case 'bounced':
      return 'Stopped: mail to this address bounced.';
    case 'complained':
      return 'Stopped: this address marked our mail as spam.';
  }
}
