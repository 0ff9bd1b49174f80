// The security headers of every answer (CSP, nosniff, Referrer-Policy, HSTS …), set by helmet. Answers written
// before routing (a request that timed out or whose headers are too large) never pass helmet's hook, so the same
// headers are worked out once here for them.
import type { HelmetOptions } from 'helmet';
import helmet from 'helmet';

export const HELMET_OPTIONS = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      // Pages carry no scripts of their own; the OpenAPI UI at /docs needs its bundled ones.
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'https:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
} satisfies HelmetOptions;

let computed: Readonly<Record<string, string>> | undefined;

/** The headers helmet sets with HELMET_OPTIONS, by name. */
export function securityHeaders(): Readonly<Record<string, string>> {
  if (computed) return computed;
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  // helmet only sets and removes headers; it never reads the request or writes a body.
  helmet(HELMET_OPTIONS)({} as never, recorder as never, () => {});
  computed = headers;
  return headers;
}
