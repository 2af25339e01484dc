/**
 * Fault injection for resilience tests: added latency, canned error statuses, dropped connections
 * and lost responses (the request is performed, then the socket is destroyed unanswered).
 */
export interface FaultMatch {
  method?: string;
  /** A literal path (`/api/gateway/list`), a route template (`/api/gateways/{gw}/…`) or a RegExp on the path. */
  path?: string | RegExp;
}

export type FaultRule =
  | { kind: 'latency'; ms: number; count?: number; match?: FaultMatch }
  | { kind: 'status'; status: 429 | 500 | 502 | 503 | 504; count: number; retryAfterSeconds?: number; match?: FaultMatch }
  | { kind: 'drop'; count: number; match?: FaultMatch }
  | { kind: 'lose-response'; count: number; match?: FaultMatch };

export type TerminalFault = Exclude<FaultRule, { kind: 'latency' }>;

export interface FaultDecision {
  latencyMs: number;
  terminal: TerminalFault | null;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

export interface FaultTarget {
  method: string;
  path: string;
  /** The matched route template, when the path matched a route. */
  template: string | null;
}

function matches(match: FaultMatch | undefined, target: FaultTarget): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== target.method) return false;
  if (match.path === undefined) return true;
  if (match.path instanceof RegExp) return match.path.test(target.path);
  return match.path === target.path || match.path === target.template;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  /** Adds a rule; it fires `count` times (latency without a count: until `clear()`) then retires. */
  inject(rule: FaultRule): void {
    if (rule.count !== undefined && (!Number.isInteger(rule.count) || rule.count < 1)) {
      throw new RangeError(`fault count must be a positive integer, got ${rule.count}`);
    }
    this.rules.push({ rule, remaining: rule.count ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
  }

  /** Rules still active, with how many firings each has left. */
  list(): Array<FaultRule & { remaining: number }> {
    return this.rules.map(({ rule, remaining }) => ({ ...rule, remaining }));
  }

  /** Consumes the matching rules for one request: all latency rules add up, the first terminal rule wins. */
  take(target: FaultTarget): FaultDecision {
    let latencyMs = 0;
    let terminal: TerminalFault | null = null;
    for (const active of this.rules) {
      if (!matches(active.rule.match, target)) continue;
      if (active.rule.kind === 'latency') {
        latencyMs += active.rule.ms;
        active.remaining -= 1;
      } else if (terminal === null) {
        terminal = active.rule;
        active.remaining -= 1;
      }
    }
    this.rules = this.rules.filter((active) => active.remaining > 0);
    return { latencyMs, terminal };
  }
}
