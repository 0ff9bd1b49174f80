// The feedback links of one delivery: "More like this" / "Not for me" under each paper, and the day's web page
// with those same links. Built from PUBLIC_URL and the server secret (see feedback-value.ts).
import type { Links } from '../links.js';
import { signDeliveryView, signFeedback, type Vote } from './feedback-value.js';

export interface FeedbackLinks {
  vote(deliveryId: number, paperId: string, vote: Vote): string;
  /** The web version of the day, showing this delivery's papers with their feedback links. */
  webView(deliveryId: number, day: string): string;
}

export function createFeedbackLinks(links: Links, secret: string): FeedbackLinks {
  return {
    vote: (deliveryId, paperId, vote) => links.feedback(signFeedback(secret, { deliveryId, paperId, vote })),
    webView: (deliveryId, day) => `${links.digest(day)}?view=${signDeliveryView(secret, deliveryId)}`,
  };
}
