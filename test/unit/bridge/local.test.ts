import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy, selectTreeSources } from '../../../bridge/targets/local';
import { CANONICAL_EXPORT } from './examples';

const TARGET = { gateway: 'prod-gw', sandbox: 'agent-1' };

describe('loading a policy for plan/apply', () => {
  it('GIVEN the canonical export WHEN loaded THEN ready, with the canonical bytes to send', async () => {
    const loaded = await loadPolicy({ file: 'a.yaml', target: TARGET, text: CANONICAL_EXPORT.replace(/\n/g, '\r\n') });
    expect(loaded).toMatchObject({ ok: true, target: TARGET });
    expect(loaded.ok && loaded.canonical).toBe(CANONICAL_EXPORT);
  });

  it('GIVEN no -g/-s WHEN loaded THEN the target comes from metadata; without metadata it is an error', async () => {
    expect(await loadPolicy({ file: 'a.yaml', text: CANONICAL_EXPORT })).toMatchObject({ ok: true, target: TARGET });
    const anonymous = await loadPolicy({ file: 'a.yaml', text: 'policy: {}\n' });
    expect(anonymous).toMatchObject({ ok: false, target: null });
    expect(anonymous.problems).toContainEqual(expect.objectContaining({ code: 'missing_target', severity: 'error' }));
  });

  it('GIVEN a document without policy_hash WHEN a lock is required THEN missing_lock at the metadata block, unless --expected-version', async () => {
    const text = CANONICAL_EXPORT.replace('  policy_hash: a1b2c3\n', '');
    const refused = await loadPolicy({ file: 'a.yaml', target: TARGET, text }, { requireLock: true });
    expect(refused.ok).toBe(false);
    expect(refused.problems).toContainEqual(expect.objectContaining({ code: 'missing_lock', path: 'metadata.policy_hash', line: 3 }));
    expect(refused.problems.map((p) => p.code)).not.toContain('missing_policy_hash');
    expect((await loadPolicy({ file: 'a.yaml', target: TARGET, text }, { requireLock: true, expectedVersion: 'abc' })).ok).toBe(true);
  });

  it('GIVEN metadata for another sandbox WHEN loaded THEN an error by default, a warning when asked', async () => {
    const other = { gateway: 'prod-gw', sandbox: 'agent-2' };
    expect((await loadPolicy({ file: 'a.yaml', target: other, text: CANONICAL_EXPORT })).ok).toBe(false);
    expect((await loadPolicy({ file: 'a.yaml', target: other, text: CANONICAL_EXPORT }, { targetMismatch: 'warning' })).ok).toBe(true);
  });

  it('GIVEN warnings only WHEN failOnWarn THEN the file is not ready', async () => {
    const text = CANONICAL_EXPORT.replace('      name: anthropic\n', '');
    expect((await loadPolicy({ file: 'a.yaml', target: TARGET, text })).ok).toBe(true);
    expect((await loadPolicy({ file: 'a.yaml', target: TARGET, text }, { failOnWarn: true })).ok).toBe(false);
  });
});

describe('selecting files of a policy tree', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'gitops-select-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('GIVEN an empty tree WHEN selected THEN a no_targets error naming the layout', async () => {
    const selection = await selectTreeSources({ root });
    expect(selection.sources).toEqual([]);
    expect(selection.problems).toEqual([expect.objectContaining({ code: 'no_targets', severity: 'error' })]);
  });

  it('GIVEN named files WHEN selected THEN targets from the layout; duplicates once; files outside the tree are errors', async () => {
    const inside = join(root, 'gw', 'sb.yaml');
    const selection = await selectTreeSources({ root, files: [inside, join(root, 'gw', '..', 'gw', 'sb.yaml'), '/elsewhere/x.yaml', join(root, 'flat.yaml')] });
    expect(selection.sources).toEqual([{ file: inside, target: { gateway: 'gw', sandbox: 'sb' } }]);
    expect(selection.problems.map((p) => [p.code, p.file])).toEqual([
      ['stray_file', '/elsewhere/x.yaml'],
      ['stray_file', join(root, 'flat.yaml')],
    ]);
  });
});
