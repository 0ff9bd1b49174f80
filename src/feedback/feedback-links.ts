// The feedback links of one delivery: "More like this" / "Not for me" under each paper, and the day's web page
// with those same links. Built from PUBLIC_URL and the server secret (see feedback-value.ts).
import type { Links } from '../links.js';
import { deliverySignature, feedbackValue, signDeliveryView, type Vote } from './feedback-value.js';

export interface FeedbackLinks {
  /** The vote links of one delivery's papers, all under that delivery's one signature (feedback-value.ts). */
  forDelivery(deliveryId: number): DeliveryVotes;
  /** The web version of the day, showing this delivery's papers with their feedback links. */
  webView(deliveryId: number, day: string): string;
}

export interface DeliveryVotes {
  vote(paperId: string, vote: Vote): string;
}

export function createFeedbackLinks(links: Links, secret: string): FeedbackLinks {
  return {
    forDelivery(deliveryId) {
      const signature = deliverySignature(secret, deliveryId);
      return { vote: (paperId, vote) => links.feedback(feedbackValue(signature, { deliveryId, paperId, vote })) };
    },
    webView: (deliveryId, day) => `${links.digest(day)}?view=${signDeliveryView(secret, deliveryId)}`,
  };
}
