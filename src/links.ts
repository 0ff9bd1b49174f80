// Every link papermail puts in an email or page, built from PUBLIC_URL. Tokens are opaque: never the address.

export interface Links {
  home(): string;
  confirm(token: string): string;
  preferences(token: string): string;
  unsubscribe(token: string): string;
  digest(day: string): string;
  archive(): string;
  /** A "More like this" / "Not for me" link: the value is signed per delivery (src/feedback/feedback-value.ts). */
  feedback(value: string): string;
}

export function createLinks(publicUrl: string): Links {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    home: () => `${base}/`,
    confirm: (token) => `${base}/confirm/${encodeURIComponent(token)}`,
    preferences: (token) => `${base}/preferences/${encodeURIComponent(token)}`,
    unsubscribe: (token) => `${base}/unsubscribe/${encodeURIComponent(token)}`,
    digest: (day) => `${base}/digests/${day}`,
    archive: () => `${base}/digests`,
    feedback: (value) => `${base}/feedback/${encodeURIComponent(value)}`,
  };
}
