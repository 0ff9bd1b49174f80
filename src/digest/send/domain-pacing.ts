// Per-domain pacing: a recipient domain with its own rate (SEND_DOMAIN_RATES, a shared budget like SEND_RATE), and
// a domain that answers 421 or 451 ("try again later": the provider is throttling us) paused for a while, longer each
// time it answers so, until a message to it goes through. Only that domain waits: the sender keeps sending to the
// others (the message feed hands out the next message whose domain is admitted).
import type { Logger } from '../../logger.js';
import type { SendBudget, SendBudgets } from './send-budget.js';

export interface DomainPacing {
  /** May a message to `address` go now? Takes the domain's token when it has a rate. */
  admit(address: string): boolean;
  /** The domain of `address` answered 421/451: pause it. */
  throttled(address: string): void;
  /** A message to the domain of `address` went through: a pause that has run out is forgotten. */
  delivered(address: string): void;
}

/** The first pause after a 421/451, doubled on each further one, up to the longest. */
const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 60_000;

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

export function createDomainPacing(o: {
  /** Where the domains' buckets are (Postgres or Redis). */
  budgets: SendBudgets;
  rates: Record<string, number>;
  log: Logger;
  now?: () => number;
}): DomainPacing {
  const now = o.now ?? Date.now;
  const budgets = new Map<string, SendBudget>();
  for (const [domain, ratePerSecond] of Object.entries(o.rates)) {
    budgets.set(domain, o.budgets.budget(`domain:${domain}`, ratePerSecond));
  }
  const pauses = new Map<string, { until: number; ms: number }>();

  return {
    admit(address) {
      const domain = domainOf(address);
      const pause = pauses.get(domain);
      if (pause && now() < pause.until) return false;
      return budgets.get(domain)?.tryTake() ?? true;
    },
    throttled(address) {
      const domain = domainOf(address);
      const previous = pauses.get(domain);
      const ms = previous ? Math.min(previous.ms * 2, LONGEST_PAUSE_MS) : FIRST_PAUSE_MS;
      pauses.set(domain, { until: now() + ms, ms });
      o.log.warn({ domain, pauseMs: ms }, 'the domain asks us to slow down: pausing it');
    },
    delivered(address) {
      if (pauses.size === 0) return;
      // A message already on its way when the 421 came does not end the pause; one sent after it does.
      const domain = domainOf(address);
      const pause = pauses.get(domain);
      if (pause && now() >= pause.until) pauses.delete(domain);
    },
  };
}
