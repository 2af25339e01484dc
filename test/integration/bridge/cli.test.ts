/**
 * The `shoreguard-gitops` command line: bad input (exit 2, nothing sent or written), credentials
 * that never print, output formats, CI integration, and the offline validate.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_VERSION } from '../../../sdk/version';
import { BASE_POLICY, readText, runCli, runJson, useGitopsEmulator, writeText } from './harness';

const run = promisify(execFile);

describe('shoreguard-gitops CLI', () => {
  const { emulator, dir, env } = useGitopsEmulator();
  let tree: string;
  let file: string;

  beforeEach(async () => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', BASE_POLICY);
    emulator().state.seedSandbox('gw', 'sb2', BASE_POLICY);
    tree = join(dir(), 'policies');
    file = join(tree, 'gw', 'sb.yaml');
    expect((await runCli(['export', '--all', '--dir', tree], { env: env() })).code).toBe(0);
    emulator().resetStats();
  });

  describe('bad input: a clear message, exit 2, nothing sent', () => {
    it.each([
      [['plan', '--bogus'], "unknown option '--bogus'"],
      [['apply', '--dir', 'x', '--mode', 'patch'], "'--mode <mode>' argument 'patch' is invalid"],
      [['sync', '--dir', 'x', '--concurrency', '0'], "'--concurrency <n>' argument '0' is invalid"],
      [['sync'], "required option '--dir <dir>' not specified"],
      [['export', '-g', 'gw'], 'export needs -g/--gateway and -s/--sandbox'],
      [['export', '--all'], 'export --all needs --dir'],
      [['plan'], 'name the policy'],
      [['plan', '-g', 'gw', '-f', 'a.yaml'], '-g/--gateway and -s/--sandbox go together'],
      [['plan', '--dir', 'x', '--layout', '{sandbox}.yaml'], 'must contain {gateway} exactly once'],
      [['apply', '--dir', 'policies', '--expected-version', 'abc'], '--expected-version locks one target'],
      [['plan', '-f', 'a.yaml', '--token-file', '/nonexistent/token'], 'cannot read --token-file /nonexistent/token'],
    ])('GIVEN %j WHEN run THEN exit 2 and stderr says %j', async (argv, message) => {
      const result = await runCli(argv.map((a) => (a === 'policies' ? tree : a)), { env: env() });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(emulator().stats().requests).toBe(0);
    });

    it('GIVEN --detailed-exitcode WHEN a flag is bad THEN exit 1 (2 would mean "changes")', async () => {
      expect((await runCli(['plan', '--bogus', '--detailed-exitcode'], { env: env() })).code).toBe(1);
    });

    it.each([
      ['malformed YAML', 'policy: {filesystem: [\n', 'yaml_syntax'],
      ['a wrong type', 'policy:\n  process:\n    run_as_user: 1000\n', 'invalid_type'],
      ['an unknown section', 'policy:\n  network:\n    rules: []\n', 'unknown_section'],
      ['no policy key', 'metadata: {}\n', 'missing_policy'],
    ])('GIVEN %s on stdin WHEN planned THEN exit 2 naming the problem, and no request', async (_what, text, code) => {
      const result = await runJson(['plan', '-g', 'gw', '-s', 'sb', '-f', '-'], { env: env(), stdin: text });
      expect(result.code).toBe(2);
      expect(result.report.targets[0]).toMatchObject({ status: 'invalid', file: '<stdin>' });
      expect(result.report.targets[0]?.problems.map((p) => p.code)).toContain(code);
      expect(emulator().stats().requests).toBe(0);
    });

    it('GIVEN an unknown policy section WHEN validated THEN it warns (exit 0; --fail-on-warn and --unknown-sections error make it fail)', async () => {
      const text = 'policy:\n  network:\n    rules: []\n';
      const warned = await runJson(['validate', '-g', 'gw', '-s', 'sb', '-f', '-'], { env: env(), stdin: text });
      expect(warned.code).toBe(0);
      expect(warned.report.targets[0]?.problems).toContainEqual(expect.objectContaining({ code: 'unknown_section', severity: 'warning' }));
      expect((await runJson(['validate', '-g', 'gw', '-s', 'sb', '-f', '-', '--fail-on-warn'], { env: env(), stdin: text })).code).toBe(2);
      expect((await runJson(['validate', '-g', 'gw', '-s', 'sb', '-f', '-', '--unknown-sections', 'error'], { env: env(), stdin: text })).code).toBe(2);
    });

    it('GIVEN a missing file and an unreadable tree WHEN planned THEN exit 2 with the path in the problem', async () => {
      const missing = await runJson(['plan', '-g', 'gw', '-s', 'sb', '-f', join(dir(), 'nope.yaml')], { env: env() });
      expect(missing.code).toBe(2);
      expect(missing.report.targets[0]?.problems[0]).toMatchObject({ code: 'unreadable_file', file: join(dir(), 'nope.yaml') });
      const noTree = await runJson(['plan', '--dir', join(dir(), 'nothing-here')], { env: env() });
      expect(noTree.code).toBe(2);
      expect(noTree.report.problems[0]).toMatchObject({ code: 'unreadable_path' });
      expect(emulator().stats().requests).toBe(0);
    });

    it('GIVEN a stray YAML file in the tree WHEN synced THEN exit 2 and the stray file is named', async () => {
      await writeText(join(tree, 'gw', 'nested', 'deep.yaml'), 'policy: {}\n');
      const result = await runJson(['sync', '--dir', tree], { env: env() });
      expect(result.code).toBe(2);
      expect(result.report.problems).toContainEqual(expect.objectContaining({ code: 'stray_file', file: join(tree, 'gw', 'nested', 'deep.yaml') }));
      expect(emulator().stats().requests).toBe(0);
    });
  });

  describe('credentials', () => {
    const key = `sg_${'k'.repeat(43)}`;

    it('GIVEN a wrong key in --token-file WHEN planned THEN a 401 error that never shows the key, in any output', async () => {
      const tokenFile = join(dir(), 'token');
      await writeFile(tokenFile, `${key}\n`);
      const jsonFile = join(dir(), 'report.json');
      const markdownFile = join(dir(), 'report.md');
      const result = await runCli(['plan', '--dir', tree, '--token-file', tokenFile, '--json-file', jsonFile, '--markdown-file', markdownFile], {
        env: { SHOREGUARD_URL: emulator().url },
      });
      expect(result.code).toBe(2);
      expect(result.stdout).toContain('failed with 401 (auth)');
      for (const text of [result.stdout, result.stderr, await readFile(jsonFile, 'utf8'), await readFile(markdownFile, 'utf8')]) {
        expect(text).not.toContain(key);
        expect(text).not.toContain('k'.repeat(20));
      }
    });

    it('GIVEN a token that is not key-shaped WHEN it appears in printed text THEN every output redacts it', async () => {
      // Contrived on purpose: the file name carries the token, so the report would print it.
      const secret = 'team-secret-4711';
      const named = join(dir(), `${secret}.yaml`);
      await writeText(named, await readText(file));
      const jsonFile = join(dir(), 'r.json');
      const result = await runCli(['plan', '-g', 'gw', '-s', 'sb', '-f', named, '--json-file', jsonFile], {
        env: { SHOREGUARD_URL: emulator().url, SHOREGUARD_TOKEN: secret },
      });
      expect(result.code).toBe(2);
      expect(result.stdout).toContain('[REDACTED].yaml');
      expect(result.stdout + result.stderr + (await readFile(jsonFile, 'utf8'))).not.toContain(secret);
    });

    it('GIVEN credentials in the URL WHEN run THEN refused without printing them', async () => {
      const result = await runCli(['plan', '--dir', tree, '--url', 'http://alice:hunter2@127.0.0.1:1'], { env: {} });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('credentials in the URL are not supported');
      expect(result.stderr + result.stdout).not.toContain('hunter2');
    });
  });

  describe('output', () => {
    it('GIVEN GitHub Actions WHEN a plan finds drift and a pin THEN annotations on stdout and the markdown in the step summary', async () => {
      await writeText(file, (await readText(file)).replace('  - /etc\n', '  - /etc\n    - /opt\n'));
      emulator().state.setPin('gw', 'sb2', { reason: 'freeze' });
      const summary = join(dir(), 'summary.md');
      await writeFile(summary, 'earlier step\n');
      const result = await runCli(['plan', '--dir', tree], { env: { ...env(), GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
      expect(result.code).toBe(2);
      expect(result.stdout).toContain(`::notice file=${file},title=shoreguard-gitops plan%3A gw/sb::drift: 1 change to apply`);
      expect(result.stdout).toMatch(/::error file=[^,]*sb2\.yaml,title=shoreguard-gitops plan%3A gw\/sb2::pinned: pinned by sp:emulator-admin .*\(reason: "freeze"\)/);
      const written = await readFile(summary, 'utf8');
      expect(written.startsWith('earlier step\n<!-- shoreguard-gitops:plan -->\n')).toBe(true);
      expect(written).toContain('+ filesystem.read_only: /opt');
    });

    it('GIVEN GitHub Actions and --output json WHEN run THEN stdout is pure JSON and the annotations go to stderr', async () => {
      emulator().state.setPin('gw', 'sb', {});
      const result = await runJson(['plan', '--dir', tree, '--no-step-summary'], { env: { ...env(), GITHUB_ACTIONS: 'true' } });
      expect(result.report.formatVersion).toBe('1.1');
      expect(result.stderr).toContain('::error file=');
    });

    it('GIVEN a TTY WHEN planning THEN a progress line on stderr and colour on stdout; NO_COLOR turns colour off', async () => {
      const tty = await runCli(['plan', '--dir', tree], { env: env(), tty: true });
      expect(tty.stderr).toContain('[1/2] gw/');
      expect(tty.stdout).toContain('\u001b[32min_sync\u001b[0m');
      const plain = await runCli(['plan', '--dir', tree], { env: { ...env(), NO_COLOR: '1' }, tty: true });
      expect(plain.stdout).not.toContain('\u001b[');
      const piped = await runCli(['plan', '--dir', tree], { env: env() });
      expect(piped.stderr).toBe('');
    });

    it('GIVEN --json-file and --markdown-file WHEN planning THEN both reports are written next to the text output', async () => {
      const jsonFile = join(dir(), 'out', 'plan.json');
      const markdownFile = join(dir(), 'out', 'plan.md');
      const result = await runCli(['plan', '--dir', tree, '--json-file', jsonFile, '--markdown-file', markdownFile], { env: env() });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('plan: 2 targets — 2 in_sync → clean (exit 0)');
      expect(JSON.parse(await readFile(jsonFile, 'utf8'))).toMatchObject({ command: 'plan', result: 'clean', exitCode: 0 });
      expect(await readFile(markdownFile, 'utf8')).toContain('### 🟢 shoreguard-gitops plan: 2 in sync');
    });

    it('GIVEN export to stdout WHEN run THEN stdout is exactly the canonical document and the report goes to stderr', async () => {
      const result = await runCli(['export', '-g', 'gw', '-s', 'sb'], { env: env() });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(await readText(file));
      expect(result.stderr).toContain('gw/sb: exported — exported to stdout');
      const json = await runJson(['export', '-g', 'gw', '-s', 'sb'], { env: env() });
      expect(json.report.targets[0]?.document).toBe(result.stdout);
    });

    it('GIVEN --version WHEN run THEN the package version and exit 0', async () => {
      const result = await runCli(['--version']);
      expect(result).toEqual({ code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
    });
  });

  describe('sync', () => {
    it('GIVEN --dry-run WHEN one of two files changed THEN drift for it, in sync for the other, exit 1', async () => {
      await writeText(file, (await readText(file)).replace('run_as_user: sandbox', 'run_as_user: root'));
      const result = await runJson(['sync', '--dir', tree, '--dry-run'], { env: env() });
      expect(result.code).toBe(1);
      expect(result.report).toMatchObject({ command: 'sync', dryRun: true, counts: { drift: 1, in_sync: 1 } });
      expect(result.report.targets[0]?.diff?.sections.process).toEqual([
        { section: 'process', op: '~', path: 'process.run_as_user', from: 'sandbox', to: 'root' },
      ]);
    });

    it('GIVEN a list of changed files WHEN synced THEN only those targets are applied', async () => {
      await writeText(file, (await readText(file)).replace('run_as_user: sandbox', 'run_as_user: root'));
      const result = await runJson(['sync', '--dir', tree, file], { env: env() });
      expect(result.code).toBe(0);
      expect(result.report.targets.map((t) => [t.sandbox, t.status])).toEqual([['sb', 'applied']]);
      expect(emulator().state.getPolicy('gw', 'sb').policy?.['process']).toMatchObject({ run_as_user: 'root' });
    });

    it('GIVEN twenty targets WHEN synced with --concurrency 3 THEN every target gets exactly one request', async () => {
      for (let i = 0; i < 20; i++) emulator().state.seedSandbox('gw', `many-${i}`, BASE_POLICY);
      const big = join(dir(), 'big');
      expect((await runCli(['export', '--all', '--dir', big, '-g', 'gw'], { env: env() })).code).toBe(0);
      emulator().resetStats();
      const result = await runJson(['sync', '--dir', big, '--concurrency', '3'], { env: env() });
      expect(result.code).toBe(0);
      expect(result.report.counts).toEqual({ up_to_date: 22 });
      expect(emulator().stats().requests).toBe(22);
    });
  });

  describe('validate (offline)', () => {
    it('GIVEN a clean tree WHEN validated THEN exit 0 and no request at all', async () => {
      const result = await runCli(['validate', '--dir', tree], { env: {} });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('validate: 2 targets — 2 valid');
      expect(emulator().stats().requests).toBe(0);
    });

    it('GIVEN metadata naming another sandbox WHEN validated THEN a warning (exit 0), an error with --strict-target or --fail-on-warn', async () => {
      await writeText(join(tree, 'gw', 'copy.yaml'), await readText(file));
      const warned = await runJson(['validate', '--dir', tree], { env: {} });
      expect(warned.code).toBe(0);
      const copy = warned.report.targets.find((t) => t.sandbox === 'copy');
      expect(copy?.problems).toContainEqual(expect.objectContaining({ code: 'target_mismatch', severity: 'warning', line: 5 }));
      expect((await runCli(['validate', '--dir', tree, '--strict-target'], { env: {} })).code).toBe(2);
      expect((await runCli(['validate', '--dir', tree, '--fail-on-warn'], { env: {} })).code).toBe(2);
      expect((await runCli(['validate', '--dir', tree, '--fail-on-warn', '--detailed-exitcode'], { env: {} })).code).toBe(1);
    });

    it('GIVEN a landlock-only edit WHEN validated with --base THEN a warning that ShoreGuard would ignore it', async () => {
      const git = (...args: string[]) => run('git', args, { cwd: dir() });
      await git('init', '-q');
      await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
      await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'base');
      await writeText(file, (await readText(file)).replace('compatibility: best_effort', 'compatibility: hard_requirement'));
      const result = await runJson(['validate', '--dir', tree, '--base', 'HEAD'], { env: {} });
      expect(result.code).toBe(0);
      expect(result.report.targets[0]?.problems).toContainEqual(
        expect.objectContaining({ code: 'ignored_change', path: 'policy.landlock', severity: 'warning' }),
      );
      const unknown = await runCli(['validate', '--dir', tree, '--base', 'no-such-ref'], { env: {} });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('no-such-ref');
    });

    it('GIVEN a path that cannot be read as a file WHEN validated THEN exit 2 naming it', async () => {
      const notAFile = join(dir(), 'weird.yaml');
      await writeText(join(notAFile, 'inside'), '');
      const result = await runJson(['validate', notAFile], { env: {} });
      expect(result.code).toBe(2);
      expect(result.report.targets[0]?.problems[0]).toMatchObject({ code: 'unreadable_file', file: notAFile });
      expect(result.report.targets[0]?.problems[0]?.message).toContain('EISDIR');
    });
  });

  it('GIVEN an export destination that cannot be written WHEN exporting THEN exit 2 with the reason, not a crash', async () => {
    const blocker = join(dir(), 'blocker');
    await writeFile(blocker, 'a file where a directory is needed');
    const tree = await runJson(['export', '--all', '--dir', blocker], { env: env() });
    expect(tree.code).toBe(2);
    expect(tree.report.targets.every((t) => t.error?.code === 'write_failed')).toBe(true);
    const single = await runJson(['export', '-g', 'gw', '-s', 'sb', '-o', join(blocker, 'sb.yaml')], { env: env() });
    expect(single.code).toBe(2);
    expect(single.report.targets[0]?.summary).toMatch(/cannot write the export \((ENOTDIR|EEXIST)\)/);
  });

  it('GIVEN bad input anywhere WHEN run THEN the policy tree is untouched', async () => {
    const before = await readdir(join(tree, 'gw'));
    await runCli(['export', '--all', '--dir', tree, '--layout', '{gateway}.yaml'], { env: env() });
    await runCli(['apply', '--dir', tree, '--bogus'], { env: env() });
    expect(await readdir(join(tree, 'gw'))).toEqual(before);
  });
});
