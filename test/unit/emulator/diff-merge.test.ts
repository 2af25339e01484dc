import { PythonTypeError } from '../../../emulator/core/python';
import { diffPolicy, isEmptyDiff } from '../../../emulator/policy/diff';
import { applyMergeOperations, computeMergeOperations, UnsupportedMergeError } from '../../../emulator/policy/merge';
import { mergeUnsupportedDetail } from '../../../emulator/quirks';
import { vectors } from './vectors';

describe('diff_policy port (§10.6)', () => {
  it('GIVEN the verified §10.6 example WHEN diffed THEN the JSON equals the contract verbatim', () => {
    const diff = diffPolicy(
      {
        filesystem: { read_only: ['/usr'], read_write: ['/tmp'], include_workdir: true },
        process: { run_as_user: 'app' },
        network_policies: { legacy: { name: 'legacy' }, gh: { name: 'gh', endpoints: [] } },
      },
      {
        filesystem: { read_only: ['/usr', '/etc'], include_workdir: false },
        process: { run_as_user: 'root' },
        network_policies: { gh: { name: 'gh', endpoints: [{ host: 'x' }] }, openai: { name: 'openai' } },
      },
    );
    expect(JSON.stringify(diff)).toBe(
      '{"filesystem":{"read_only_added":["/etc"],"read_write_removed":["/tmp"],"include_workdir_changed":[true,false]},"process":{"run_as_user_changed":["app","root"]},"network_policies":{"added":["openai"],"removed":["legacy"],"changed":["gh"]}}',
    );
  });

  it.each(vectors.diff.map((vector) => [vector.name, vector] as const))(
    'GIVEN the %s vector WHEN diffed THEN keys, order and emptiness equal ShoreGuard diff_policy',
    (_name, vector) => {
      const diff = diffPolicy(vector.old, vector.new);
      expect(JSON.stringify(diff)).toBe(JSON.stringify(vector.diff));
      expect(isEmptyDiff(diff)).toBe(vector.is_empty);
    },
  );

  it('GIVEN read_only: null in the new policy WHEN diffed THEN it raises like Python set(None)', () => {
    expect(() => diffPolicy({}, { filesystem: { read_only: null } })).toThrow(PythonTypeError);
  });
});

describe('compute_merge_operations port (§10.8)', () => {
  it.each(vectors.merge.map((vector) => [vector.name, vector] as const))(
    'GIVEN the %s vector WHEN merge operations are computed THEN they equal ShoreGuard (or the same error)',
    (_name, vector) => {
      if (vector.error !== undefined) {
        expect(() => computeMergeOperations(vector.current, vector.target)).toThrow(new UnsupportedMergeError(vector.error));
        expect(mergeUnsupportedDetail(vector.error)).toBe(vector.detail);
      } else {
        expect(computeMergeOperations(vector.current, vector.target)).toEqual(vector.operations);
      }
    },
  );

  it('GIVEN remove and add operations WHEN applied to a stored policy THEN rules are replaced and normalised', () => {
    const next = applyMergeOperations(
      { version: 1, network_policies: { a: { name: 'a', endpoints: [], binaries: [] }, b: { name: 'b', endpoints: [], binaries: [] } } },
      [
        { type: 'remove_rule', rule_name: 'a' },
        { type: 'add_rule', rule_name: 'c', rule: { name: 'c', endpoints: [{ host: 'h', port: 1, junk: true }] } },
      ],
    );
    expect(next).toEqual({
      version: 1,
      network_policies: {
        b: { name: 'b', endpoints: [], binaries: [] },
        c: { name: 'c', endpoints: [{ host: 'h', port: 1 }], binaries: [] },
      },
    });
  });

  it('GIVEN every rule removed WHEN applied THEN network_policies disappears like an empty proto map', () => {
    expect(applyMergeOperations({ version: 0, network_policies: { a: { name: 'a' } } }, [{ type: 'remove_rule', rule_name: 'a' }])).toEqual({
      version: 0,
    });
  });
});
