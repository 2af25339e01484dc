import { fromSdkDiff } from '../../../bridge/targets/remote';
import { policyDiffSchema } from '../../../sdk/models/policies';

describe("the SDK's diff back in ShoreGuard's shape", () => {
  it.each([
    {
      filesystem: { read_only_added: ['/etc'], read_write_removed: ['/tmp'], include_workdir_changed: [true, false] },
      process: { run_as_user_changed: ['app', 'root'] },
      network_policies: { added: ['openai'], removed: ['legacy'], changed: ['gh'] },
    },
    { filesystem: {}, process: {}, network_policies: { added: [], removed: [], changed: [] } },
    { filesystem: { read_write_added: ['/data'] }, process: { run_as_group_changed: ['', 'g'] }, network_policies: { added: [], removed: [], changed: [] } },
  ])('GIVEN the wire diff %j WHEN read by the SDK and converted back THEN it is unchanged', (wire) => {
    expect(fromSdkDiff(policyDiffSchema.parse(wire))).toEqual(wire);
  });
});
