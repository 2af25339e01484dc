/**
 * Every documented error status, driven through the SDK against the emulator, and the typed error
 * it becomes. (423 pinned and 409 version_mismatch on apply are outcomes, not errors: see
 * sandboxes-policies.test.ts.)
 */
import {
  type ErrorContext,
  RateLimitedError,
  type ShoreGuardClient,
  type ShoreGuardErrorCode,
  ShoreGuardError,
  ValidationError,
  isUnknownRoute,
} from '../../../sdk';
import { type SdkHarness, failure, useSdkEmulator } from './harness';

const GW = 'prod-gw';
const HOUR_MS = 3_600_000;

interface StatusCase extends ErrorContext {
  readonly status: number;
  readonly given: string;
  readonly call: (h: SdkHarness) => Promise<unknown>;
  readonly code: ShoreGuardErrorCode;
  readonly errorClass: typeof ShoreGuardError;
  readonly serverCode: string | undefined;
  /** How many attempts the retry policy makes (reads retry 429/502/503/504). */
  readonly attempts: number;
}

async function expiredServicePrincipalClient(h: SdkHarness): Promise<ShoreGuardClient> {
  const created = await h.client('admin').servicePrincipals.create({ name: 'short-lived', role: 'viewer', expiresAt: new Date(h.serverClock.now().getTime() + HOUR_MS) });
  h.serverClock.advance(2 * HOUR_MS);
  return h.client({ token: created.key });
}

const CASES: readonly StatusCase[] = [
  {
    status: 401,
    given: 'a service principal whose key expired on the server clock',
    call: async (h) => (await expiredServicePrincipalClient(h)).gateways.list(),
    code: 'auth',
    errorClass: ShoreGuardError,
    serverCode: 'AUTHENTICATION_REQUIRED',
    attempts: 1,
  },
  {
    status: 403,
    given: 'an operator key on an admin-only route (groups)',
    call: (h) => h.client('operator').groups.list(),
    code: 'forbidden',
    errorClass: ShoreGuardError,
    serverCode: 'PERMISSION_DENIED',
    attempts: 1,
  },
  {
    status: 404,
    given: 'an unknown group id',
    call: (h) => h.client('admin').groups.get(12345),
    code: 'not_found',
    errorClass: ShoreGuardError,
    serverCode: 'NOT_FOUND',
    attempts: 1,
  },
  {
    status: 409,
    given: 'an email that is already a user',
    call: async (h) => {
      await h.client('admin').users.create({ email: 'dup@example.com' });
      return h.client('admin').users.create({ email: 'dup@example.com' });
    },
    code: 'conflict',
    errorClass: ShoreGuardError,
    serverCode: 'CONFLICT',
    attempts: 1,
  },
  {
    status: 422,
    given: 'a workflow with 21 required approvals (max 20)',
    call: (h) => h.client('admin').workflows.put(GW, 'sb', { requiredApprovals: 21 }),
    code: 'validation',
    errorClass: ValidationError,
    serverCode: 'VALIDATION_ERROR',
    attempts: 1,
  },
  {
    status: 400,
    given: 'a gateway list filtered by an unknown runtime',
    call: (h) => h.client('viewer').gateways.list({ runtime: 'podman' as 'docker' }),
    code: 'validation',
    errorClass: ValidationError,
    serverCode: 'VALIDATION_ERROR',
    attempts: 1,
  },
  {
    status: 500,
    given: 'gateway info for a name that is not registered',
    call: (h) => h.client('viewer').gateways.info('ghost'),
    code: 'server',
    errorClass: ShoreGuardError,
    serverCode: 'INTERNAL_ERROR',
    gateway: 'ghost',
    attempts: 1,
  },
  {
    status: 503,
    given: 'sandbox listing on a registered but disconnected gateway',
    call: (h) => {
      h.emulator().state.registerGateway({ name: GW, connected: false });
      return h.client('viewer').sandboxes.list(GW);
    },
    code: 'server',
    errorClass: ShoreGuardError,
    serverCode: 'GATEWAY_NOT_CONNECTED',
    gateway: GW,
    attempts: 4,
  },
];

describe('documented error statuses become typed errors', () => {
  const h = useSdkEmulator();

  it.each(CASES)('GIVEN $given WHEN called THEN $status maps to code $code', async (testCase) => {
    const error = await failure(testCase.call(h));
    expect(error).toBeInstanceOf(testCase.errorClass);
    expect(error).toMatchObject({ status: testCase.status, code: testCase.code, serverCode: testCase.serverCode, attempts: testCase.attempts });
    if (testCase.gateway !== undefined) expect(error.gateway).toBe(testCase.gateway);
    // Every error says where it happened and carries the server's request id for its logs.
    expect(error.message).toMatch(new RegExp(`^(GET|POST|PUT|PATCH|DELETE) /api/\\S+ failed with ${testCase.status} \\(${testCase.code}\\)`));
    expect(error.requestId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('GIVEN a base URL with a wrong path prefix WHEN called THEN not_found (404) that isUnknownRoute recognises, with a URL hint', async () => {
    const client = h.client('viewer', { url: `${h.emulator().url}/shoreguard` });
    const error = await failure(client.gateways.list());
    expect(error).toMatchObject({ code: 'not_found', status: 404, serverCode: undefined, detail: 'Not Found' });
    expect(isUnknownRoute(error)).toBe(true);
    expect(error.hint).toMatch(/check the base URL/);
  });
});

describe('the global per-IP rate limit (plain JSON 429)', () => {
  const h = useSdkEmulator({ rateLimits: { global: { attempts: 3, windowSeconds: 60, lockoutSeconds: 60 } } });

  it('GIVEN three requests used the minute WHEN a fourth read is made THEN RateLimitedError (429) at once: Retry-After exceeds the time budget', async () => {
    const client = h.client('viewer', { retry: { maxElapsedMs: 30_000 } });
    for (let i = 0; i < 3; i++) await client.gateways.list();
    const error = await failure(client.gateways.list());
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, detail: 'Too many requests', serverCode: undefined, attempts: 1 });
    // The lockout is 60 s, so Retry-After is about a minute: more than the 30 s budget allows.
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThan(30);
    expect(h.retryClock().sleeps).toEqual([]);
    expect(h.hits('GET', '/api/gateway/list')).toBe(4);
  });
});
