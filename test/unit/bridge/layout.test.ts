import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LayoutError } from '../../../bridge/core/errors';
import { PolicyLayout, discoverTargets, isValidTargetName } from '../../../bridge/targets/layout';

describe('PolicyLayout', () => {
  test('GIVEN the default pattern WHEN mapping a target THEN the path is <gateway>/<sandbox>.yaml and maps back', () => {
    const layout = new PolicyLayout();
    expect(layout.pathFor({ gateway: 'prod-gw', sandbox: 'agent-1' })).toBe('prod-gw/agent-1.yaml');
    expect(layout.match('prod-gw/agent-1.yaml')).toEqual({ matched: true, target: { gateway: 'prod-gw', sandbox: 'agent-1' } });
  });

  test('GIVEN a custom pattern with sandbox first WHEN matching THEN both names are captured', () => {
    const layout = new PolicyLayout({ pattern: 'sandboxes/{sandbox}@{gateway}.yml' });
    expect(layout.match('sandboxes/agent.v2@eu_gw.yml')).toEqual({ matched: true, target: { gateway: 'eu_gw', sandbox: 'agent.v2' } });
    expect(layout.pathFor({ gateway: 'eu_gw', sandbox: 'agent.v2' })).toBe('sandboxes/agent.v2@eu_gw.yml');
  });

  test('GIVEN a path at the wrong depth WHEN matching THEN no_match', () => {
    expect(new PolicyLayout().match('agent-1.yaml')).toMatchObject({ matched: false, reason: 'no_match' });
    expect(new PolicyLayout().match('a/b/c.yaml')).toMatchObject({ matched: false, reason: 'no_match' });
  });

  test('GIVEN a file name ShoreGuard would reject WHEN matching THEN invalid_name explains the rule', () => {
    const result = new PolicyLayout().match('prod-gw/-agent.yaml');
    expect(result).toMatchObject({ matched: false, reason: 'invalid_name' });
    expect(result.matched ? '' : result.message).toContain('invalid sandbox name "-agent"');
  });

  test.each(['agent-1', 'a', 'A.b_c-9', 'x'.repeat(253)])('GIVEN the name %s WHEN checked THEN it is valid', (name) => {
    expect(isValidTargetName(name)).toBe(true);
  });

  test.each(['', '-a', '.a', 'a b', 'a/b', 'x'.repeat(254), 'é'])('GIVEN the name %j WHEN checked THEN it is invalid', (name) => {
    expect(isValidTargetName(name)).toBe(false);
  });

  test('GIVEN an invalid target WHEN asking for its path THEN LayoutError', () => {
    expect(() => new PolicyLayout().pathFor({ gateway: 'ok', sandbox: '../etc' })).toThrow(LayoutError);
  });

  test.each([
    ['{gateway}.yaml', /\{sandbox\} exactly once/],
    ['{gateway}/{sandbox}/{sandbox}.yaml', /\{sandbox\} exactly once/],
    ['/{gateway}/{sandbox}.yaml', /relative path/],
    ['../{gateway}/{sandbox}.yaml', /relative path/],
    ['{gateway}{sandbox}.yaml', /separator/],
  ])('GIVEN the pattern %s WHEN constructing THEN LayoutError', (pattern, message) => {
    expect(() => new PolicyLayout({ pattern })).toThrow(message);
  });

  test('GIVEN an ambiguous pattern WHEN a name contains the separator THEN pathFor refuses instead of misrouting', () => {
    const layout = new PolicyLayout({ pattern: '{gateway}-{sandbox}.yaml' });
    expect(() => layout.pathFor({ gateway: 'eu-west', sandbox: 'agent' })).toThrow(/unambiguously/);
  });
});

describe('discoverTargets', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'bridge-layout-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function put(relative: string, content = 'policy: {}\n'): Promise<void> {
    await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await writeFile(path.join(root, relative), content);
  }

  test('GIVEN a policy tree WHEN discovered THEN targets are sorted and README/hidden files skipped', async () => {
    await put('prod-gw/b.yaml');
    await put('prod-gw/a.yaml');
    await put('dev-gw/x.yaml');
    await put('README.md', '# policies');
    await put('.github/ci.yaml');
    const discovery = await discoverTargets(root);
    expect(discovery.problems).toEqual([]);
    expect(discovery.targets.map((t) => [t.relativePath, t.target.gateway, t.target.sandbox])).toEqual([
      ['dev-gw/x.yaml', 'dev-gw', 'x'],
      ['prod-gw/a.yaml', 'prod-gw', 'a'],
      ['prod-gw/b.yaml', 'prod-gw', 'b'],
    ]);
    expect(discovery.targets[0]?.file).toBe(path.join(root, 'dev-gw', 'x.yaml'));
  });

  test('GIVEN YAML files that map to no target WHEN discovered THEN each is a stray_file error naming it', async () => {
    await put('top.yaml');
    await put('prod-gw/nested/deep.yml');
    const discovery = await discoverTargets(root);
    expect(discovery.targets).toEqual([]);
    expect(discovery.problems.map((p) => [path.relative(root, p.file ?? ''), p.code, p.severity])).toEqual([
      ['prod-gw/nested/deep.yml', 'stray_file', 'error'],
      ['top.yaml', 'stray_file', 'error'],
    ]);
  });

  test('GIVEN strayFiles: ignore WHEN discovered THEN stray files are not reported', async () => {
    await put('top.yaml');
    expect((await discoverTargets(root, { strayFiles: 'ignore' })).problems).toEqual([]);
  });

  test('GIVEN a file with an invalid sandbox name WHEN discovered THEN invalid_target_name', async () => {
    await put('prod-gw/bad name.yaml');
    const [problem] = (await discoverTargets(root)).problems;
    expect(problem).toMatchObject({ code: 'invalid_target_name', severity: 'error', file: path.join(root, 'prod-gw', 'bad name.yaml') });
  });

  test('GIVEN a root that does not exist WHEN discovered THEN unreadable_path with the errno code', async () => {
    const missing = path.join(root, 'missing');
    const discovery = await discoverTargets(missing);
    expect(discovery.problems).toEqual([expect.objectContaining({ code: 'unreadable_path', file: missing, severity: 'error' })]);
    expect(discovery.problems[0]?.message).toContain('ENOENT');
  });

  test('GIVEN a symlinked file WHEN discovered THEN it counts; GIVEN a symlinked directory THEN it is not followed', async () => {
    await put('real/agent.yaml');
    await mkdir(path.join(root, 'gw'));
    await symlink(path.join(root, 'real', 'agent.yaml'), path.join(root, 'gw', 'linked.yaml'));
    await symlink(path.join(root, 'real'), path.join(root, 'loop'));
    const discovery = await discoverTargets(root);
    expect(discovery.targets.map((t) => t.relativePath)).toEqual(['gw/linked.yaml', 'real/agent.yaml']);
  });
});
