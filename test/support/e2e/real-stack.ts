/**
 * The peers of an end-to-end run against the REAL ShoreGuard 0.40.0: one server started by
 * scripts/real-shoreguard/ (through test/support/real-shoreguard.ts, with the conformance suite's
 * settings) and one fake OpenShell gateway per gateway name, each on its own loopback port. The
 * gateways are NOT registered here: the engine under test (Pulumi, OpenTofu) registers them; use
 * the conformance target (startLocalRealTarget) when a registered gateway is wanted instead.
 */
import { startFakeOpenShell, type FakeOpenShell } from '../fake-openshell';
import { REAL_SHOREGUARD_ENV } from '../conformance/targets';
import { startRealShoreGuard, type RealShoreGuard } from '../real-shoreguard';
import { ServerProbe } from './probe';

/** Starting the build-cached server takes ~4 s; a cold machine builds the sid root first (~2 min). */
export const REAL_STACK_START_TIMEOUT_MS = 10 * 60_000;

export interface RealStack {
  readonly server: RealShoreGuard;
  readonly url: string;
  /** Reads and writes on the server with plain fetch, as any principal. */
  readonly probe: ServerProbe;
  /** The fake gateway that will be registered under `name` (throws for a name not started). */
  gateway(name: string): FakeOpenShell;
  close(): Promise<void>;
}

export class RealStackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RealStackError';
  }
}

/** Starts the real ShoreGuard and one fake gateway (127.0.0.1, free port) per name in `gatewayNames`. */
export async function startRealStack(gatewayNames: readonly string[]): Promise<RealStack> {
  const fakes = new Map<string, FakeOpenShell>();
  let server: RealShoreGuard | undefined;
  const close = async (): Promise<void> => {
    await server?.stop();
    for (const fake of fakes.values()) await fake.close();
  };
  try {
    for (const name of gatewayNames) fakes.set(name, await startFakeOpenShell({ port: 0, version: `fake-openshell-${name}` }));
    server = await startRealShoreGuard({ env: REAL_SHOREGUARD_ENV });
  } catch (error) {
    await close();
    throw error;
  }
  const started = server;
  return {
    server: started,
    url: started.url,
    probe: new ServerProbe(started.url, (principal) => started.key(principal)),
    gateway(name) {
      const fake = fakes.get(name);
      if (!fake) throw new RealStackError(`no fake gateway was started for '${name}' (started: ${[...fakes.keys()].join(', ') || 'none'})`);
      return fake;
    },
    close,
  };
}
