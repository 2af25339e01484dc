import { buildRunReport, combineResults, exitCodeFor, targetReport, type TargetStatus } from '../../../bridge/report/report';

const target = (status: TargetStatus) => targetReport({ gateway: 'gw', sandbox: status, file: null, status, summary: status });

describe('run report: results and exit codes', () => {
  it.each([
    [['clean', 'clean'], 'clean'],
    [['clean', 'changes'], 'changes'],
    [['changes', 'error', 'clean'], 'error'],
    [[], 'clean'],
  ] as const)('GIVEN results %j WHEN combined THEN %s (error > changes > clean)', (results, expected) => {
    expect(combineResults(results)).toBe(expected);
  });

  it("GIVEN each result WHEN mapped THEN ShoreGuard's codes by default and Terraform's with the detailed style", () => {
    expect([exitCodeFor('clean'), exitCodeFor('changes'), exitCodeFor('error')]).toEqual([0, 1, 2]);
    expect([exitCodeFor('clean', 'terraform'), exitCodeFor('changes', 'terraform'), exitCodeFor('error', 'terraform')]).toEqual([0, 2, 1]);
  });

  it.each([
    ['in_sync', 'clean'],
    ['applied', 'clean'],
    ['up_to_date', 'clean'],
    ['absent', 'clean'],
    ['drift', 'changes'],
    ['vote_recorded', 'changes'],
    ['pinned', 'error'],
    ['conflict', 'error'],
    ['invalid', 'error'],
    ['skipped', 'error'],
  ] as const)('GIVEN status %s WHEN reported THEN it counts as %s', (status, result) => {
    expect(target(status).result).toBe(result);
  });

  it('GIVEN targets WHEN the run report is built THEN counts, combined result and exit code agree', () => {
    const report = buildRunReport({ command: 'plan', dryRun: true, targets: [target('in_sync'), target('drift'), target('drift')], exitCodeStyle: 'terraform' });
    expect(report).toMatchObject({ formatVersion: '1.1', tool: { name: 'shoreguard-gitops' }, counts: { in_sync: 1, drift: 2 }, result: 'changes', exitCode: 2 });
  });

  it('GIVEN clean targets but a run-level error (a stray file) WHEN built THEN the run is an error', () => {
    const report = buildRunReport({
      command: 'sync',
      targets: [target('applied')],
      problems: [{ file: 'policies/x.yaml', path: '', code: 'stray_file', message: 'stray', severity: 'error' }],
    });
    expect(report).toMatchObject({ result: 'error', exitCode: 2 });
    expect(buildRunReport({ command: 'sync', targets: [target('applied')], problems: [{ path: '', code: 'stray_file', message: 'stray', severity: 'warning' }] }).result).toBe('clean');
  });
});
