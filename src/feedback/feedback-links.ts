// The feedback links of one delivery: "More like this" / "Not for me" under each paper, and the day's web page
// with those same links. Built from PUBLIC_URL and the server secret (see feedback-value.ts).
import type { Links } from '../links.js';
import { deliverySignature, feedbackValue, signDeliveryView, type Vote } from './feedback-value.js';

export interface FeedbackLinks {
  vote(deliveryId: number, paperId: string, vote: Vote): string;
  /** The web version of the day, showing this delivery's papers with their feedback links. */
  webView(deliveryId: number, day: string): string;
}

export function createFeedbackLinks(links: Links, secret: string): FeedbackLinks {
  // An email's links are made one after the other: its delivery's signature is computed once for all of them.
  let signed = { deliveryId: -1, signature: '' };
  const signatureOf = (deliveryId: number) => {
    if (signed.deliveryId !== deliveryId) signed = { deliveryId, signature: deliverySignature(secret, deliveryId) };
    return signed.signature;
  };
  return {
    vote: (deliveryId, paperId, vote) =>
      links.feedback(feedbackValue(signatureOf(deliveryId), { deliveryId, paperId, vote })),
    webView: (deliveryId, day) => `${links.digest(day)}?view=${signDeliveryView(secret, deliveryId)}`,
  };
}
