/** Shared fixtures for the SDK unit tests: a MockAgent-backed client and a fake clock. */
import { MockAgent, type MockCallHistoryLog } from 'undici';
import { type ShoreGuardClientOptions, createClient } from '../../../sdk';
import type { RetryClock } from '../../../sdk/retry';

export const ORIGIN = 'http://localhost:8888';
/** Not in the sg_ shape, so tests prove the configured key itself is redacted. */
export const TOKEN = 'test-token-Zq9xW4vR7s';
/** A key in ShoreGuard's own shape ("sg_" + 43 url-safe chars). */
export const SG_KEY = `sg_${'k7Qm2PzX9wLbC4nV8tRy1Ds5Fh3Gj6Ka0Ue_Wo-Ix'.slice(0, 43)}`;

export const JSON_HEADERS = { 'content-type': 'application/json' };
export const PROBLEM_HEADERS = { 'content-type': 'application/problem+json' };

/** A clock whose sleeps are recorded and advance virtual time instantly. */
export interface FakeClock extends RetryClock {
  readonly sleeps: number[];
  time: number;
}

export function fakeClock(random = 0.5): FakeClock {
  const clock: FakeClock = {
    sleeps: [],
    time: Date.parse('2026-04-20T12:00:00Z'),
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
    random: () => random,
  };
  return clock;
}

export interface Harness {
  readonly agent: MockAgent;
  readonly pool: ReturnType<MockAgent['get']>;
  readonly client: ReturnType<typeof createClient>;
  readonly clock: FakeClock;
  readonly warnings: string[];
  readonly debugs: string[];
  /** Requests the client sent, in order. */
  calls(): MockCallHistoryLog[];
  /** The JSON body of the n-th request. */
  bodyOf(index: number): unknown;
}

export function harness(options: Partial<ShoreGuardClientOptions> = {}): Harness {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent.enableCallHistory();
  const clock = fakeClock();
  const warnings: string[] = [];
  const debugs: string[] = [];
  const client = createClient({
    url: ORIGIN,
    token: TOKEN,
    dispatcher: agent,
    env: {},
    clock,
    logger: { warn: (m) => warnings.push(m), debug: (m) => debugs.push(m) },
    ...options,
  });
  const calls = (): MockCallHistoryLog[] => agent.getCallHistory()?.calls() ?? [];
  return {
    agent,
    pool: agent.get(ORIGIN),
    client,
    clock,
    warnings,
    debugs,
    calls,
    bodyOf: (index) => {
      const body = calls()[index]?.body;
      return typeof body === 'string' ? (JSON.parse(body) as unknown) : undefined;
    },
  };
}

/** A problem+json error body as ShoreGuard sends it. */
export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const title = code.replace(/_/g, ' ').toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase());
  return { type: 'about:blank', title, status, detail, code, request_id: 'req-0123456789ab', ...extra };
}

/** Awaits a promise that must reject and returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
