/**
 * Thousands of mutated policy documents through validate and plan against the emulator: no
 * crash, every outcome a well-formed report, nothing sent for a document that fails validation,
 * and nothing written — on the server or on disk.
 */
import fc from 'fast-check';
import { readdir } from 'node:fs/promises';
import { runPolicies, validateSources, type TargetReport } from '../../../bridge';
import { createClient, type ShoreGuardClient } from '../../../sdk';
import { mutate, mutation } from '../../unit/bridge/mutations';
import { BASE_POLICY, useGitopsEmulator } from './harness';

const APPLY = 'POST /api/gateways/{gw}/sandboxes/{name}/policy/apply';
const READS = new Set([
  APPLY, // dry runs only: checked below
  'GET /api/gateways/{gw}/sandboxes/{name}/policy/export',
  'GET /api/gateways/{gw}/sandboxes/{name}/policy/pin',
  'GET /api/gateways/{gw}/sandboxes/{name}/approvals/{chunk_id}/decisions',
]);
const PLAN_STATUSES = new Set(['invalid', 'in_sync', 'drift', 'conflict', 'pinned', 'error']);

function expectWellFormed(target: TargetReport): void {
  expect(PLAN_STATUSES).toContain(target.status);
  expect(typeof target.summary).toBe('string');
  expect(target.summary.length).toBeGreaterThan(0);
  for (const problem of target.problems) {
    expect(['error', 'warning']).toContain(problem.severity);
    expect(problem.code).toMatch(/^[a-z_]+$/);
  }
  if (target.status === 'invalid') expect(target.problems.some((p) => p.severity === 'error')).toBe(true);
}

describe('fuzz: mutated documents through validate and plan', () => {
  const { emulator, dir } = useGitopsEmulator();
  let client: ShoreGuardClient;
  let exported: string;

  beforeEach(async () => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', BASE_POLICY);
    client = createClient({ url: emulator().url, token: emulator().keys.operator, retry: { maxAttempts: 1 } });
    exported = (await client.policies.export('gw', 'sb')).yaml;
    emulator().resetStats();
  });

  afterEach(async () => {
    await client.close();
  });

  it('GIVEN 2000 mutated exports WHEN validated and planned in batches THEN no crash, no write, and invalid files are never sent', async () => {
    const before = emulator().state.getPolicy('gw', 'sb');
    const documents = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 5 }), { numRuns: 2000, seed: 4711 }).map((m) => mutate(exported, m));
    let sent = 0;
    for (let start = 0; start < documents.length; start += 100) {
      const sources = documents.slice(start, start + 100).map((text, i) => ({ file: `fuzz-${start + i}.yaml`, target: { gateway: 'gw', sandbox: 'sb' }, text }));
      const validated = await validateSources(sources);
      const planned = await runPolicies(client, sources, { dryRun: true });
      expect([0, 1, 2]).toContain(planned.exitCode);
      planned.targets.forEach((target, i) => {
        expectWellFormed(target);
        // Plan is stricter than validate (a file for another sandbox is refused), never looser.
        if (validated.targets[i]?.status === 'invalid') expect(target.status).toBe('invalid');
        if (target.status !== 'invalid') sent += 1;
      });
    }
    const stats = emulator().stats();
    expect(Object.keys(stats.byRoute).filter((route) => !READS.has(route))).toEqual([]);
    expect(stats.byRoute[APPLY] ?? 0).toBe(sent);
    expect(sent).toBeGreaterThan(0);
    expect(emulator().state.getPolicy('gw', 'sb')).toEqual(before);
    expect(emulator().state.decisions).toEqual([]);
    expect(await readdir(dir())).toEqual([]);
  });
});
