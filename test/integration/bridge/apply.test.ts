/**
 * `apply` beyond the happy path, through the library API and the CLI: the lock rule, the modes,
 * lost responses, repeated votes, merge refusals and the all-or-nothing rule.
 */
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { applyTarget, loadPolicy, planTarget, type PreparedPolicy } from '../../../bridge';
import { createClient, type ShoreGuardClient } from '../../../sdk';
import { BASE_POLICY, readText, requestsTo, runCli, runJson, useGitopsEmulator, writeText } from './harness';

const APPLY = 'POST /api/gateways/{gw}/sandboxes/{name}/policy/apply';
const EXPORT = 'GET /api/gateways/{gw}/sandboxes/{name}/policy/export';
const DECISIONS = 'GET /api/gateways/{gw}/sandboxes/{name}/approvals/{chunk_id}/decisions';
const PIN = 'GET /api/gateways/{gw}/sandboxes/{name}/policy/pin';

describe('shoreguard-gitops apply: locks, modes and lost responses', () => {
  const { emulator, dir, env } = useGitopsEmulator();
  let operator: ShoreGuardClient;
  let admin: ShoreGuardClient;

  beforeEach(() => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', BASE_POLICY);
    operator = createClient({ url: emulator().url, token: emulator().keys.operator, retry: { maxAttempts: 1 } });
    admin = createClient({ url: emulator().url, token: emulator().keys.admin });
  });

  afterEach(async () => {
    await Promise.all([operator.close(), admin.close()]);
  });

  /** The live export with `edit` applied to its text, prepared for sending. */
  async function prepared(edit: (text: string) => string = (t) => t): Promise<PreparedPolicy> {
    const exported = await admin.policies.export('gw', 'sb');
    const text = edit(exported.yaml);
    const loaded = await loadPolicy({ file: 'sb.yaml', target: { gateway: 'gw', sandbox: 'sb' }, text });
    if (!loaded.ok) throw new Error(`test document invalid: ${JSON.stringify(loaded.problems)}`);
    return loaded;
  }
  const addOpt = (text: string) => text.replace('  - /etc\n', '  - /etc\n    - /opt\n');
  const addRule = (text: string) =>
    text.replace('    github:\n', '    pypi:\n      binaries: []\n      endpoints:\n      - host: pypi.org\n        port: 443\n      name: pypi\n    github:\n');

  it('GIVEN an edit WHEN applied THEN one request, applied, and the live policy holds the change', async () => {
    const document = await prepared(addOpt);
    emulator().resetStats();
    const report = await applyTarget(operator, document);
    expect(report).toMatchObject({ status: 'applied', result: 'clean', mode: 'replace' });
    expect(report.appliedHash).toBe(emulator().state.getPolicy('gw', 'sb').policyHash);
    expect(emulator().stats().requests).toBe(1);
  });

  it('GIVEN a lost response after the write WHEN applied THEN the bridge reads back and reports applied, without re-sending', async () => {
    const document = await prepared(addOpt);
    emulator().faults.inject({ kind: 'lose-response', count: 1, match: { method: 'POST', path: /apply/ } });
    emulator().resetStats();
    const report = await applyTarget(operator, document);
    expect(report.status).toBe('applied');
    expect(report.recovered).toContain('live policy equals the file');
    expect(requestsTo(emulator(), APPLY)).toBe(1);
    expect(requestsTo(emulator(), EXPORT)).toBe(1);
    expect(emulator().state.getPolicy('gw', 'sb').activeVersion).toBe(2);
  });

  it('GIVEN a quorum workflow and a lost response WHEN applied THEN vote recorded, read from the vote pool', async () => {
    await admin.workflows.put('gw', 'sb', { requiredApprovals: 2 });
    const document = await prepared(addOpt);
    emulator().faults.inject({ kind: 'lose-response', count: 1, match: { method: 'POST', path: /apply/ } });
    const report = await applyTarget(operator, document);
    expect(report).toMatchObject({ status: 'vote_recorded', result: 'changes', votes: { needed: 2, cast: 1, voters: ['sp:emulator-operator'] } });
    expect(report.recovered).toContain('vote pool holds 1 vote');
    expect(emulator().state.getPolicy('gw', 'sb').activeVersion).toBe(1);
  });

  it('GIVEN the connection dropped before the handler ran WHEN applied THEN an error saying nothing happened', async () => {
    const document = await prepared(addOpt);
    emulator().faults.inject({ kind: 'drop', count: 1, match: { method: 'POST', path: /apply/ } });
    const report = await applyTarget(operator, document);
    expect(report).toMatchObject({ status: 'error', next: 'run the apply again' });
    expect(report.summary).toContain('did not take effect');
    expect(emulator().state.getPolicy('gw', 'sb').activeVersion).toBe(1);
  });

  it('GIVEN the same voter re-runs an apply WHEN the server says "already voted" THEN vote recorded, not an error', async () => {
    await admin.workflows.put('gw', 'sb', { requiredApprovals: 2 });
    const document = await prepared(addOpt);
    expect((await applyTarget(operator, document)).status).toBe('vote_recorded');
    const again = await applyTarget(operator, document);
    expect(again).toMatchObject({ status: 'vote_recorded', votes: { cast: 1, needed: 2 } });
    expect(again.summary).toContain('already recorded');
  });

  it('GIVEN --mode auto and only a new network rule WHEN applied THEN merge is used', async () => {
    const document = await prepared(addRule);
    emulator().resetStats();
    const report = await applyTarget(operator, document, { mode: 'auto' });
    expect(report).toMatchObject({ status: 'applied', mode: 'merge' });
    expect(report.diff?.sections.network_policies).toEqual([{ section: 'network_policies', op: '+', path: 'network_policies.pypi' }]);
    // export, apply, then the pending proposals it may have settled (none here).
    expect(emulator().stats().requests).toBe(3);
  });

  it('GIVEN --mode auto and a filesystem change WHEN applied THEN replace is used', async () => {
    expect(await applyTarget(operator, await prepared(addOpt), { mode: 'auto' })).toMatchObject({ status: 'applied', mode: 'replace' });
  });

  it('GIVEN --mode auto with a network change plus a landlock change the diff cannot see WHEN applied THEN replace (merge would be refused)', async () => {
    const document = await prepared((text) => addRule(text).replace('compatibility: best_effort', 'compatibility: hard_requirement'));
    const report = await applyTarget(operator, document, { mode: 'auto' });
    expect(report).toMatchObject({ status: 'applied', mode: 'replace' });
    expect(emulator().state.getPolicy('gw', 'sb').policy?.['landlock']).toEqual({ compatibility: 'hard_requirement' });
  });

  it('GIVEN --mode merge and a filesystem change WHEN applied THEN an error that says to use replace', async () => {
    const report = await applyTarget(operator, await prepared(addOpt), { mode: 'merge' });
    expect(report).toMatchObject({ status: 'error', error: { code: 'validation', status: 400 } });
    expect(report.next).toContain('--mode replace');
  });

  it('GIVEN a document without a lock WHEN applied THEN refused without a request, unless forced', async () => {
    const document = await prepared((text) => addOpt(text).replace(/ {2}policy_hash: .*\n/, ''));
    emulator().resetStats();
    const refused = await applyTarget(operator, document);
    expect(refused).toMatchObject({ status: 'invalid', result: 'error' });
    expect(emulator().stats().requests).toBe(0);
    expect(await applyTarget(operator, document, { forceUnlocked: true })).toMatchObject({ status: 'applied' });
  });

  it('GIVEN a pinned sandbox WHEN planned THEN two requests: the dry run and the pin read', async () => {
    await admin.pins.pin('gw', 'sb', { reason: 'audit' });
    emulator().resetStats();
    const report = await planTarget(operator, await prepared(addOpt));
    expect(report).toMatchObject({ status: 'pinned', pin: { reason: 'audit', pinnedBy: 'sp:emulator-admin', expiresAt: null } });
    expect(requestsTo(emulator(), APPLY)).toBe(1);
    expect(requestsTo(emulator(), PIN)).toBe(1);
  });

  it('GIVEN drift under a workflow WHEN planned THEN two requests: the dry run and the vote pool', async () => {
    await admin.workflows.put('gw', 'sb', { requiredApprovals: 3 });
    const document = await prepared(addOpt);
    emulator().resetStats();
    const report = await planTarget(operator, document);
    expect(report).toMatchObject({ status: 'drift', workflow: 'quorum', votes: { needed: 3, cast: 0 } });
    expect(requestsTo(emulator(), APPLY) + requestsTo(emulator(), DECISIONS)).toBe(2);
    expect(emulator().stats().requests).toBe(2);
  });

  it('GIVEN a changed network rule WHEN planned with details THEN field-level changes, for one more request (the export)', async () => {
    const document = await prepared((text) => text.replace('method: GET', 'method: POST'));
    emulator().resetStats();
    const report = await planTarget(operator, document, { details: true });
    expect(report.diff?.sections.network_policies).toEqual([
      {
        section: 'network_policies',
        op: '~',
        path: 'network_policies.github',
        details: [{ op: '~', path: 'endpoints[0].rules[0].allow.method', from: 'GET', to: 'POST' }],
      },
    ]);
    expect(emulator().stats().requests).toBe(3);
    expect(requestsTo(emulator(), EXPORT)).toBe(1);
  });

  it('GIVEN a tree with one malformed file WHEN applied THEN nothing is sent for any file and the exit code is 2', async () => {
    const tree = join(dir(), 'policies');
    const good = join(tree, 'gw', 'sb.yaml');
    await runCli(['export', '-g', 'gw', '-s', 'sb', '--dir', tree], { env: env() });
    await writeText(good, addOpt(await readText(good)));
    await writeText(join(tree, 'gw', 'broken.yaml'), 'policy: {filesystem: [\n');
    emulator().resetStats();
    const run = await runJson(['apply', '--dir', tree], { env: env() });
    expect(run.code).toBe(2);
    expect(run.report.targets.map((t) => [t.sandbox, t.status])).toEqual([
      ['broken', 'invalid'],
      ['sb', 'skipped'],
    ]);
    expect(run.report.targets[0]?.problems[0]).toMatchObject({ code: 'yaml_syntax', line: 2 });
    expect(emulator().stats().requests).toBe(0);
  });

  it('GIVEN a file whose metadata names another sandbox WHEN applied THEN refused (exit 2) with the field named', async () => {
    const tree = join(dir(), 'policies');
    await runCli(['export', '-g', 'gw', '-s', 'sb', '--dir', tree], { env: env() });
    const copy = join(tree, 'gw', 'other.yaml');
    await writeText(copy, await readText(join(tree, 'gw', 'sb.yaml')));
    emulator().resetStats();
    const run = await runJson(['apply', copy, '--dir', tree], { env: env() });
    expect(run.code).toBe(2);
    expect(run.report.targets[0]?.problems).toContainEqual(expect.objectContaining({ code: 'target_mismatch', path: 'metadata.sandbox', severity: 'error' }));
    expect(emulator().stats().requests).toBe(0);
  });

  it('GIVEN a disconnected gateway WHEN exporting --all THEN exit 2 and no file is written', async () => {
    emulator().state.registerGateway({ name: 'down' });
    emulator().state.seedSandbox('down', 'x', BASE_POLICY);
    emulator().state.setGatewayConnected('down', false);
    const tree = join(dir(), 'policies');
    const run = await runJson(['export', '--all', '--dir', tree], { env: env() });
    expect(run.code).toBe(2);
    expect(run.report.targets.some((t) => t.status === 'error' && t.summary.includes('down'))).toBe(true);
    await expect(readdir(tree)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('GIVEN an export that fails midway WHEN exporting --all THEN the other files are not written either', async () => {
    emulator().state.seedSandbox('gw', 'sb2', BASE_POLICY);
    emulator().faults.inject({ kind: 'status', status: 500, count: 1, match: { path: '/api/gateways/gw/sandboxes/sb2/policy/export' } });
    const tree = join(dir(), 'policies');
    const run = await runJson(['export', '--all', '--dir', tree], { env: env() });
    expect(run.code).toBe(2);
    expect(run.report.targets.map((t) => t.status).sort()).toEqual(['error', 'skipped']);
    await expect(readdir(tree)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
