import { diffPolicy, type PolicyDiff } from '../../../bridge/document/diff';
import { diffToData, renderDiffText, ruleFieldChanges } from '../../../bridge/report/diff-render';

const VERIFIED_DIFF: PolicyDiff = {
  filesystem: { read_only_added: ['/etc'], read_write_removed: ['/tmp'], include_workdir_changed: [true, false] },
  process: { run_as_user_changed: ['app', 'root'] },
  network_policies: { added: ['openai'], removed: ['legacy'], changed: ['gh'] },
};

const EMPTY_DIFF: PolicyDiff = { filesystem: {}, process: {}, network_policies: { added: [], removed: [], changed: [] } };

describe('renderDiffText', () => {
  test('GIVEN the verified diff WHEN rendered in ShoreGuard style THEN the lines equal `shoreguard policy diff`', () => {
    expect(renderDiffText(VERIFIED_DIFF, { style: 'shoreguard' })).toBe(
      [
        '  + filesystem.read_only: /etc',
        '  - filesystem.read_write: /tmp',
        '  ~ filesystem.include_workdir: True → False',
        "  ~ process.run_as_user: 'app' → 'root'",
        '  + network_policies.openai',
        '  - network_policies.legacy',
        '  ~ network_policies.gh',
      ].join('\n'),
    );
  });

  test('GIVEN the verified diff WHEN rendered in bridge style THEN values are JSON-styled', () => {
    expect(renderDiffText(VERIFIED_DIFF).split('\n')).toEqual([
      '  + filesystem.read_only: /etc',
      '  - filesystem.read_write: /tmp',
      '  ~ filesystem.include_workdir: true → false',
      '  ~ process.run_as_user: "app" → "root"',
      '  + network_policies.openai',
      '  - network_policies.legacy',
      '  ~ network_policies.gh',
    ]);
  });

  test('GIVEN an empty diff WHEN rendered THEN "(no changes)"', () => {
    expect(renderDiffText(EMPTY_DIFF)).toBe('  (no changes)');
    expect(renderDiffText(EMPTY_DIFF, { style: 'shoreguard', indent: '' })).toBe('(no changes)');
  });

  test('GIVEN a string with a quote WHEN rendered in ShoreGuard style THEN Python repr quoting is used', () => {
    const diff: PolicyDiff = { ...EMPTY_DIFF, process: { run_as_group_changed: ["it's", 'x\ty'] } };
    expect(renderDiffText(diff, { style: 'shoreguard' })).toBe('  ~ process.run_as_group: "it\'s" → \'x\\ty\'');
  });

  test('GIVEN both policies WHEN a changed rule is rendered THEN field-level details follow the rule line', () => {
    const before = { network_policies: { gh: { name: 'gh', endpoints: [{ host: 'api.github.com', port: 443 }], binaries: [] } } };
    const after = {
      network_policies: { gh: { name: 'gh', endpoints: [{ host: 'api.github.com', port: 8443, protocol: 'rest' }], binaries: [{ path: '/usr/bin/git' }] } },
    };
    const text = renderDiffText(diffPolicy(before, after), { oldPolicy: before, newPolicy: after });
    expect(text.split('\n')).toEqual([
      '  ~ network_policies.gh',
      '      + binaries[0]: {"path":"/usr/bin/git"}',
      '      ~ endpoints[0].port: 443 → 8443',
      '      + endpoints[0].protocol: "rest"',
    ]);
  });

  test('GIVEN a long value WHEN rendered as a detail THEN it is cut to maxValueLength', () => {
    const before = { network_policies: { r: { name: 'a' } } };
    const after = { network_policies: { r: { name: 'b'.repeat(50) } } };
    const text = renderDiffText(diffPolicy(before, after), { oldPolicy: before, newPolicy: after, maxValueLength: 10 });
    expect(text.split('\n')[1]).toBe('      ~ name: "a" → "bbbbbbbb…');
  });
});

describe('diffToData', () => {
  test('GIVEN the verified diff WHEN converted THEN entries are grouped per section with the summary', () => {
    const report = diffToData(VERIFIED_DIFF);
    expect(report.drift).toBe(true);
    expect(report.summary).toEqual({ filesystem: 3, process: 1, network_policies: 3, total: 7 });
    expect(report.sections.filesystem).toEqual([
      { section: 'filesystem', op: '+', path: 'filesystem.read_only', value: '/etc' },
      { section: 'filesystem', op: '-', path: 'filesystem.read_write', value: '/tmp' },
      { section: 'filesystem', op: '~', path: 'filesystem.include_workdir', from: true, to: false },
    ]);
    expect(report.sections.process).toEqual([{ section: 'process', op: '~', path: 'process.run_as_user', from: 'app', to: 'root' }]);
    expect(report.sections.network_policies.map((e) => `${e.op}${e.path}`)).toEqual([
      '+network_policies.openai',
      '-network_policies.legacy',
      '~network_policies.gh',
    ]);
    expect(report.sections.network_policies[2]?.details).toBeUndefined();
  });

  test('GIVEN an empty diff WHEN converted THEN drift is false', () => {
    expect(diffToData(EMPTY_DIFF).drift).toBe(false);
  });
});

describe('ruleFieldChanges', () => {
  test('GIVEN lists of different lengths WHEN compared THEN extra items are added or removed by index', () => {
    expect(ruleFieldChanges({ ports: [1, 2, 3] }, { ports: [1, 5] })).toEqual([
      { op: '~', path: 'ports[1]', from: 2, to: 5 },
      { op: '-', path: 'ports[2]', from: 3 },
    ]);
  });

  test('GIVEN equal rules WHEN compared THEN there are no changes', () => {
    expect(ruleFieldChanges({ a: [{ b: 1 }] }, { a: [{ b: 1 }] })).toEqual([]);
  });
});
