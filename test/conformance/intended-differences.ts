// Differences between the emulator and the real ShoreGuard that we keep on purpose. The case
// comparison hides them (observe.ts normalises the values); each entry here has its own test proving
// the difference is exactly what the reason says, and nothing more.
import { z } from 'zod';
import { startRealShoreGuard } from '../support/real-shoreguard';
import { REAL_SHOREGUARD_ENV, send, type ConformanceTarget } from '../support/conformance/targets';
import { sandboxPath, SEED_POLICY, stringField, yamlOf } from './cases/fixtures';

export interface IntendedDifference {
  id: string;
  reason: string;
  prove(reference: ConformanceTarget, emulator: ConformanceTarget, options: { runPrefix: string }): Promise<void>;
}

const HEX16 = /^[0-9a-f]{16}$/;
const SHA256 = /^[0-9a-f]{64}$/;

const HookRunSchema = z.object({ status: z.enum(['success', 'failure']), summary: z.string(), output: z.string() });
const GatewayHealthFieldsSchema = z.object({ last_status: z.string(), last_seen: z.string().nullable() });

async function createAndRunHook(target: ConformanceTarget, sandbox: string, name: string, command: string): Promise<z.infer<typeof HookRunSchema>> {
  const hooks = `${sandboxPath(target.gateway, sandbox)}/hooks`;
  const created = await send(target, 'admin', 'POST', hooks, { body: { name, phase: 'pre_create', command } });
  const id = z.object({ id: z.number() }).parse(created.body).id;
  const run = await send(target, 'operator', 'POST', `${hooks}/${id}/run`);
  expect(run.status).toBe(200);
  return HookRunSchema.parse(run.body);
}

async function gatewayHealthFields(target: ConformanceTarget, name: string): Promise<z.infer<typeof GatewayHealthFieldsSchema>> {
  const info = await send(target, 'viewer', 'GET', `/api/gateway/${encodeURIComponent(name)}/info`);
  expect(info.status).toBe(200);
  return GatewayHealthFieldsSchema.parse(info.body);
}

/** Reads /info until the health monitor has probed the gateway once (bounded; not a timing assertion). */
async function waitForMonitorProbe(target: ConformanceTarget, name: string, attempts: number): Promise<z.infer<typeof GatewayHealthFieldsSchema>> {
  let fields = await gatewayHealthFields(target, name);
  for (let attempt = 1; attempt < attempts && fields.last_seen === null; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    fields = await gatewayHealthFields(target, name);
  }
  return fields;
}

export const INTENDED_DIFFERENCES: readonly IntendedDifference[] = [
  {
    id: 'request-ids',
    reason:
      'request_id / X-Request-ID are random per request on both servers (16 hex chars, the inbound X-Request-ID echoed); only the values differ',
    async prove(reference, emulator) {
      for (const target of [reference, emulator]) {
        const first = await send(target, null, 'GET', '/api/gateway/list');
        const second = await send(target, null, 'GET', '/api/gateway/list');
        const ids = [first, second].map((reply) => stringField(reply.body, 'request_id'));
        expect(ids.map((id) => HEX16.test(id))).toEqual([true, true]);
        expect(ids[0]).not.toBe(ids[1]);
        expect(first.headers.get('x-request-id')).toBe(ids[0]);
        const echoed = await send(target, null, 'GET', '/api/gateway/list', { headers: { 'x-request-id': 'conformance-trace-1' } });
        expect([echoed.headers.get('x-request-id'), stringField(echoed.body, 'request_id')]).toEqual(['conformance-trace-1', 'conformance-trace-1']);
      }
    },
  },
  {
    id: 'policy-hash-values',
    reason:
      'policy_hash comes from the gateway, not ShoreGuard (§10.4): the fake OpenShell and the emulator hash different canonical forms, so values differ; both are 64 hex chars, stable for an unchanged policy and new after an edit',
    async prove(reference, emulator, { runPrefix }) {
      const hashes: string[] = [];
      for (const target of [reference, emulator]) {
        const seeded = await target.seedSandbox(`${runPrefix}-hash`, SEED_POLICY);
        const exportPath = `${sandboxPath(target.gateway, seeded.sandbox)}/policy/export`;
        const first = await send(target, 'viewer', 'GET', exportPath);
        const again = await send(target, 'viewer', 'GET', exportPath);
        const hash = stringField(first.body, 'policy_hash');
        expect(hash).toMatch(SHA256);
        expect(stringField(again.body, 'policy_hash')).toBe(hash);
        expect(yamlOf(first.body)).toContain(`  policy_hash: ${hash}\n`);
        await target.editPolicyOutOfBand(seeded.sandbox, { ...SEED_POLICY, filesystem: { read_only: ['/usr'] } });
        const edited = await send(target, 'viewer', 'GET', exportPath);
        expect(stringField(edited.body, 'policy_hash')).toMatch(SHA256);
        expect(stringField(edited.body, 'policy_hash')).not.toBe(hash);
        hashes.push(hash);
      }
      // The values are the difference (the two gateways hash differently); if they ever agree,
      // this entry is obsolete and the normalisation can go.
      expect(hashes[0]).not.toBe(hashes[1]);
    },
  },
  {
    id: 'boot-hook-commands-never-execute',
    reason:
      'POST …/hooks/{id}/run of a pre_create hook runs the command on the ShoreGuard host (output captured, non-zero exit → failure); the emulator never executes anything and reports success with empty output',
    async prove(reference, emulator, { runPrefix }) {
      const sandbox = `${runPrefix}-hookrun`;
      const real = [await createAndRunHook(reference, sandbox, 'echo', 'echo conformance'), await createAndRunHook(reference, sandbox, 'fail', 'false')];
      expect(real.map(({ status, output }) => ({ status, output }))).toEqual([
        { status: 'success', output: 'conformance\n' },
        { status: 'failure', output: '' },
      ]);
      const emulated = [await createAndRunHook(emulator, sandbox, 'echo', 'echo conformance'), await createAndRunHook(emulator, sandbox, 'fail', 'false')];
      expect(emulated).toEqual([
        { status: 'success', summary: 'ok', output: '' },
        { status: 'success', summary: 'ok', output: '' },
      ]);
      // A command that prints nothing and succeeds looks the same on both (hooks/lifecycle compares it).
      expect(real[0]?.summary).toBe('ok');
    },
  },
  {
    id: 'no-gateway-health-monitor',
    reason:
      'the real health monitor probes every gateway each SHOREGUARD_BG_HEALTH_INTERVAL s (default 30) and rewrites last_status/last_seen; the emulator has none, so a gateway registered over REST keeps last_status "unknown" and last_seen null (what the real server shows until its first probe; the suite runs it with a 1 h interval)',
    async prove(reference, emulator, { runPrefix }) {
      const name = `${runPrefix}-monitor`;
      const register = { name, scheme: 'http', auth_mode: 'insecure' };
      if (reference.origin === 'local-script') {
        // A second real server whose monitor runs every second, upstream the same fake gateway.
        const monitored = await startRealShoreGuard({ env: { ...REAL_SHOREGUARD_ENV, SHOREGUARD_BG_HEALTH_INTERVAL: '1' }, progress: false });
        try {
          const sibling: ConformanceTarget = { ...reference, url: monitored.url, key: (principal) => monitored.key(principal) };
          const reply = await send(sibling, 'admin', 'POST', '/api/gateway/register', { body: { ...register, endpoint: reference.gatewayEndpoint(name, true) } });
          expect(reply.status).toBe(201);
          const probed = await waitForMonitorProbe(sibling, name, 40);
          expect(probed.last_status).toBe('healthy');
          expect(probed.last_seen).toEqual(expect.any(String));
        } finally {
          await monitored.stop();
        }
      } else {
        // Someone else's long-running server: its monitor has long since probed the gateway.
        const probed = await waitForMonitorProbe(reference, reference.gateway, 80);
        expect(probed.last_seen).toEqual(expect.any(String));
      }

      const registered = await send(emulator, 'admin', 'POST', '/api/gateway/register', { body: { ...register, endpoint: emulator.gatewayEndpoint(name, true) } });
      expect(registered.status).toBe(201);
      await send(emulator, 'viewer', 'GET', `/api/gateways/${name}/health`);
      expect(await gatewayHealthFields(emulator, name)).toEqual({ last_status: 'unknown', last_seen: null });
      await send(emulator, 'admin', 'DELETE', `/api/gateway/${name}`);
    },
  },
];
