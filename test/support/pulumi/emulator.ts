/** An emulator on a loopback port 0 with SDK clients for its keys, for the provider tests. */
import { type ShoreGuardClient, createClient } from '../../../sdk';
import { type Emulator, startEmulator } from '../../../emulator';
import type { ResourceContext } from '../../../provider/resources';

export interface ProviderHarness {
  readonly emulator: Emulator;
  /** Admin client with fast retries (the retry policy is under test, not its waits). */
  readonly admin: ShoreGuardClient;
  readonly ctx: ResourceContext;
  /** A client for another key (viewer, operator); closed by `close`. */
  clientFor(key: string): ShoreGuardClient;
  close(): Promise<void>;
}

/** Fast retries: same attempts and rules as the defaults, no real waiting. */
export const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 } as const;

export async function startProviderHarness(options: { now?: () => Date } = {}): Promise<ProviderHarness> {
  const emulator = await startEmulator({ port: 0, ...(options.now ? { now: options.now } : {}) });
  const clients: ShoreGuardClient[] = [];
  const clientFor = (token: string): ShoreGuardClient => {
    const client = createClient({ url: emulator.url, token, retry: FAST_RETRY, env: {} });
    clients.push(client);
    return client;
  };
  const admin = clientFor(emulator.adminKey);
  return {
    emulator,
    admin,
    ctx: { client: admin, ...(options.now ? { now: options.now } : {}) },
    clientFor,
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
      await emulator.close();
    },
  };
}

/** A controllable clock shared by the emulator and the handlers. */
export function manualClock(start = Date.now()): { now: () => Date; advance(ms: number): void; set(iso: string): void } {
  let time = start;
  return {
    now: () => new Date(time),
    advance: (ms) => {
      time += ms;
    },
    set: (iso) => {
      time = Date.parse(iso);
    },
  };
}
