import {
  PolicyDiffSchema,
  checkMerge,
  diffPolicy,
  explainIgnoredChanges,
  isEmptyDiff,
  isMergeable,
  summarizeDiff,
  wouldBeIgnored,
} from '../../../bridge/document/diff';
import { exportPolicy } from './examples';

/** Reference §10.6 verified example: the two policies behind ShoreGuard's documented diff. */
const VERIFIED_OLD = {
  filesystem: { read_only: ['/usr'], read_write: ['/tmp'], include_workdir: true },
  process: { run_as_user: 'app' },
  network_policies: {
    legacy: { name: 'legacy', endpoints: [], binaries: [] },
    gh: { name: 'gh', endpoints: [{ host: 'api.github.com', port: 443 }], binaries: [] },
  },
};
const VERIFIED_NEW = {
  filesystem: { read_only: ['/usr', '/etc'], include_workdir: false },
  process: { run_as_user: 'root' },
  network_policies: {
    gh: { name: 'gh', endpoints: [{ host: 'api.github.com', port: 8443 }], binaries: [] },
    openai: { name: 'openai', endpoints: [], binaries: [] },
  },
};
const VERIFIED_DIFF_JSON =
  '{"filesystem":{"read_only_added":["/etc"],"read_write_removed":["/tmp"],"include_workdir_changed":[true,false]},"process":{"run_as_user_changed":["app","root"]},"network_policies":{"added":["openai"],"removed":["legacy"],"changed":["gh"]}}';

describe('diffPolicy (ShoreGuard diff_policy)', () => {
  test('GIVEN the verified §10.6 policies WHEN diffed THEN the JSON is byte-identical to ShoreGuard’s', () => {
    expect(JSON.stringify(diffPolicy(VERIFIED_OLD, VERIFIED_NEW))).toBe(VERIFIED_DIFF_JSON);
  });

  test('GIVEN the verified diff WHEN summarized THEN the audit summary is {3,1,3,7}', () => {
    expect(summarizeDiff(diffPolicy(VERIFIED_OLD, VERIFIED_NEW))).toEqual({ filesystem: 3, process: 1, network_policies: 3, total: 7 });
  });

  test('GIVEN identical policies WHEN diffed THEN the no-change diff has the documented shape', () => {
    const diff = diffPolicy(exportPolicy(), exportPolicy());
    expect(JSON.stringify(diff)).toBe('{"filesystem":{},"process":{},"network_policies":{"added":[],"removed":[],"changed":[]}}');
    expect(isEmptyDiff(diff)).toBe(true);
  });

  test('GIVEN reordered and repeated paths WHEN diffed THEN nothing changed (paths are sets)', () => {
    const diff = diffPolicy({ filesystem: { read_only: ['/a', '/b'] } }, { filesystem: { read_only: ['/b', '/a', '/a'] } });
    expect(isEmptyDiff(diff)).toBe(true);
  });

  test('GIVEN missing defaults WHEN diffed THEN include_workdir defaults to false and run_as_* to ""', () => {
    expect(isEmptyDiff(diffPolicy({ filesystem: { include_workdir: false }, process: { run_as_user: '' } }, {}))).toBe(true);
    expect(diffPolicy({}, { process: { run_as_group: 'g' } }).process).toEqual({ run_as_group_changed: ['', 'g'] });
  });

  test('GIVEN a rule missing `binaries: []` WHEN diffed against the export THEN the rule shows as changed (trap 9)', () => {
    const edited = exportPolicy();
    delete (edited['network_policies'] as Record<string, Record<string, unknown>>)['anthropic']!['binaries'];
    expect(diffPolicy(exportPolicy(), edited).network_policies.changed).toEqual(['anthropic']);
  });

  test('GIVEN rule lists in another order WHEN diffed THEN the rule changed (plain deep equality)', () => {
    const before = { network_policies: { r: { binaries: [{ path: '/a' }, { path: '/b' }] } } };
    const after = { network_policies: { r: { binaries: [{ path: '/b' }, { path: '/a' }] } } };
    expect(diffPolicy(before, after).network_policies.changed).toEqual(['r']);
  });

  test('GIVEN key order differences inside a rule WHEN diffed THEN the rule is unchanged (dict equality)', () => {
    const before = { network_policies: { r: { name: 'r', binaries: [] } } };
    const after = { network_policies: { r: { binaries: [], name: 'r' } } };
    expect(isEmptyDiff(diffPolicy(before, after))).toBe(true);
  });

  test('GIVEN landlock, version and unknown-section changes WHEN diffed THEN the diff is empty (ignored sections)', () => {
    const before = { landlock: { compatibility: 'best_effort' }, version: 1, extra: 1 };
    const after = { landlock: { compatibility: 'hard_requirement' }, version: 2, extra: 2 };
    expect(isEmptyDiff(diffPolicy(before, after))).toBe(true);
  });

  test('GIVEN null policies WHEN diffed THEN they count as empty', () => {
    expect(diffPolicy(null, { network_policies: { a: {} } }).network_policies.added).toEqual(['a']);
  });

  test('GIVEN keys with non-BMP characters WHEN diffed THEN they are sorted by code point like Python', () => {
    const diff = diffPolicy({}, { network_policies: { '\u{1F600}': {}, '\uFF01': {}, b: {} } });
    expect(diff.network_policies.added).toEqual(['b', '\uFF01', '\u{1F600}']);
  });
});

describe('merge mode', () => {
  test('GIVEN a network-only diff WHEN checked THEN isMergeable', () => {
    expect(isMergeable(diffPolicy({ network_policies: {} }, { network_policies: { a: {} } }))).toBe(true);
  });

  test('GIVEN a filesystem change WHEN checked THEN not mergeable', () => {
    expect(isMergeable(diffPolicy(VERIFIED_OLD, VERIFIED_NEW))).toBe(false);
  });

  test('GIVEN a landlock change (invisible in the diff) WHEN checkMerge THEN merge is refused with ShoreGuard’s reason', () => {
    const result = checkMerge({ landlock: { compatibility: 'a' } }, { landlock: { compatibility: 'b' } });
    expect(result).toEqual({
      mergeable: false,
      section: 'landlock',
      reason: "mode=merge cannot express changes to the 'landlock' section; use mode=replace for filesystem / process / landlock / version updates",
    });
  });

  test('GIVEN both versions set and different WHEN checkMerge THEN refused; GIVEN one is 0 THEN allowed', () => {
    expect(checkMerge({ version: 1 }, { version: 2 })).toMatchObject({ mergeable: false, section: 'version' });
    expect(checkMerge({ version: 0 }, { version: 2 })).toEqual({ mergeable: true });
  });

  test('GIVEN filesystem paths in another order WHEN checkMerge THEN refused (merge compares with list order)', () => {
    expect(checkMerge({ filesystem: { read_only: ['/a', '/b'] } }, { filesystem: { read_only: ['/b', '/a'] } })).toMatchObject({
      mergeable: false,
      section: 'filesystem',
    });
  });
});

describe('changes ShoreGuard ignores', () => {
  test('GIVEN a landlock-only change WHEN explained THEN it would never be written', () => {
    const before = exportPolicy();
    const after = { ...exportPolicy(), landlock: { compatibility: 'hard_requirement' } };
    expect(wouldBeIgnored(before, after)).toBe(true);
    expect(explainIgnoredChanges(before, after)).toEqual([
      expect.objectContaining({ section: 'landlock', writtenWithOtherChanges: false }),
    ]);
  });

  test('GIVEN a version-only change WHEN explained THEN it would never be written', () => {
    const after = { ...exportPolicy(), version: 2 };
    expect(wouldBeIgnored(exportPolicy(), after)).toBe(true);
    expect(explainIgnoredChanges(exportPolicy(), after).map((c) => c.section)).toEqual(['version']);
  });

  test('GIVEN a landlock change together with a process change WHEN explained THEN it is written with the others', () => {
    const after = { ...exportPolicy(), landlock: { compatibility: 'x' }, process: { run_as_user: 'root', run_as_group: 'sandbox' } };
    expect(wouldBeIgnored(exportPolicy(), after)).toBe(false);
    expect(explainIgnoredChanges(exportPolicy(), after)).toEqual([expect.objectContaining({ section: 'landlock', writtenWithOtherChanges: true })]);
  });

  test('GIVEN reordered filesystem paths and an unknown section WHEN explained THEN both are reported', () => {
    const after = { ...exportPolicy(), filesystem: { include_workdir: true, read_only: ['/etc', '/usr'], read_write: [] }, inference: {} };
    expect(explainIgnoredChanges(exportPolicy(), after).map((c) => c.section)).toEqual(['filesystem', 'inference']);
  });

  test('GIVEN equal policies WHEN explained THEN nothing is reported', () => {
    expect(explainIgnoredChanges(exportPolicy(), exportPolicy())).toEqual([]);
    expect(wouldBeIgnored(exportPolicy(), exportPolicy())).toBe(false);
  });
});

describe('PolicyDiffSchema', () => {
  test('GIVEN the verified diff JSON WHEN parsed THEN it round-trips', () => {
    const parsed = PolicyDiffSchema.parse(JSON.parse(VERIFIED_DIFF_JSON));
    expect(JSON.stringify(parsed)).toBe(VERIFIED_DIFF_JSON);
  });

  test('GIVEN a diff without network_policies WHEN parsed THEN it is rejected', () => {
    expect(PolicyDiffSchema.safeParse({ filesystem: {}, process: {} }).success).toBe(false);
  });
});
