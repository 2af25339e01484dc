/**
 * The peer for side-by-side figures: the real ShoreGuard 0.40.0 started by
 * scripts/real-shoreguard/start.sh (a chroot with Python 3.14, raised rate limits), the fake
 * OpenShell gateway from test/support/ as its upstream, and ShoreGuard's own Python CLI
 * (`shoreguard policy …`) run inside that chroot one process per call, as a user runs it.
 *
 * Not test/support/real-shoreguard.ts: that module finds the scripts relative to its own file,
 * which points into dist/ once compiled; here the repository root is looked up instead.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { FakeOpenShell, SandboxPolicy } from '../../test/support/fake-openshell';
import { expectExit, type ProcessRun, runProcess } from './process';
import { findRepoRoot } from './report';

const InstanceSchema = z.object({
  url: z.string().url(),
  keys: z.object({ admin: z.string(), operator: z.string() }),
  pid: z.number().int().positive(),
  tmpdir: z.string(),
  version: z.string(),
});

/** The real server's settings for benchmarks: no background health probes during a measurement. */
const PEER_ENV = { SHOREGUARD_BG_HEALTH_INTERVAL: '3600' } as const;

export class RealPeerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RealPeerError';
  }
}

/** A directory both sides can read: a host path for our CLI, the same files at `rootPath` inside the chroot. */
export interface SharedDir {
  readonly hostPath: string;
  readonly rootPath: string;
}

export interface RealPeer {
  readonly url: string;
  readonly version: string;
  /** The registered gateway backed by the fake OpenShell. */
  readonly gateway: string;
  /** Operator key (dry runs and applies need operator). Never printed. */
  operatorKey(): string;
  /** Creates `sandbox` on the fake gateway with `policy` as its live revision. */
  seedSandbox(sandbox: string, policy: Record<string, unknown>): void;
  /** A fresh directory inside the chroot's /tmp, removed with the server. */
  sharedDir(name: string): SharedDir;
  /** `shoreguard <args>` in the chroot with SHOREGUARD_URL/SHOREGUARD_TOKEN set, one process. */
  runPythonCli(args: readonly string[]): Promise<ProcessRun>;
  /** `in-rootfs.sh true`: what entering the chroot alone costs per process (shown, never subtracted). */
  runChrootNoop(): Promise<ProcessRun>;
  close(): Promise<void>;
}

/** Starts the real ShoreGuard and the fake gateway, and registers the gateway as `gateway`. */
export async function startRealPeer(gateway = 'bench-gw'): Promise<RealPeer> {
  const repoRoot = findRepoRoot();
  const scripts = join(repoRoot, 'scripts', 'real-shoreguard');
  // Loaded here, not at the top: only this bench needs gRPC in the runner process.
  const { startFakeOpenShell } = require('../../test/support/fake-openshell') as typeof import('../../test/support/fake-openshell');
  const { SandboxPolicySchema } = require('../../test/support/fake-openshell/policy-store') as typeof import('../../test/support/fake-openshell/policy-store');

  const started = expectExit('scripts/real-shoreguard/start.sh', await runProcess('bash', [join(scripts, 'start.sh')], { env: { ...process.env, ...PEER_ENV }, rusage: false }), [0]);
  const instanceFile = started.stdout.trim().split('\n').pop() ?? '';
  const stop = async (): Promise<void> => {
    await runProcess('bash', [join(scripts, 'stop.sh'), instanceFile], { rusage: false });
  };
  let fake: FakeOpenShell | undefined;
  try {
    // The file holds keys: errors name the path only.
    const parsed = InstanceSchema.safeParse(JSON.parse(readFileSync(instanceFile, 'utf8')));
    if (!parsed.success) throw new RealPeerError(`start.sh left an instance file of unexpected shape: ${instanceFile}`);
    const instance = parsed.data;
    fake = await startFakeOpenShell({ port: 0, protoJsonPath: join(repoRoot, '.cache', 'openshell-protos', 'openshell.proto.json') });
    const registered = await fetch(`${instance.url}/api/gateway/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${instance.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: gateway, endpoint: fake.endpoint, scheme: 'http', auth_mode: 'insecure' }),
    });
    const body = await registered.text();
    if (registered.status !== 201 || !/"connected":\s*true/.test(body)) {
      throw new RealPeerError(`registering the fake OpenShell as '${gateway}' answered ${registered.status}: ${body.slice(0, 300)}`);
    }
    const upstream = fake;
    const inRootfs = join(scripts, 'in-rootfs.sh');
    return {
      url: instance.url,
      version: instance.version,
      gateway,
      operatorKey: () => instance.keys.operator,
      seedSandbox(sandbox, policy) {
        upstream.seedSandbox(sandbox, SandboxPolicySchema.parse(policy) as SandboxPolicy);
      },
      sharedDir(name) {
        const hostPath = join(instance.tmpdir, name);
        mkdirSync(hostPath, { recursive: true });
        return { hostPath, rootPath: `/tmp/${basename(instance.tmpdir)}/${name}` };
      },
      runPythonCli: (args) => runProcess(inRootfs, [`SHOREGUARD_URL=${instance.url}`, `SHOREGUARD_TOKEN=${instance.keys.operator}`, 'shoreguard', ...args]),
      runChrootNoop: () => runProcess(inRootfs, ['true']),
      async close() {
        await upstream.close();
        await stop();
      },
    };
  } catch (error) {
    await fake?.close();
    await stop();
    throw error;
  }
}
