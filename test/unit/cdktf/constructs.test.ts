import { Testing, TerraformStack } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { ApprovalWorkflow, ChangeFreeze, ConstructPropsError, GovernedSandbox, PolicyPin, SandboxBootHook, ShoreguardProvider } from '../../../provider/cdktf';

// Registers cdktf's jest matchers; the type-only import below declares them for TypeScript.
Testing.setupJest();

/** Synthesizes a stack with the default provider plus whatever `build` adds. */
function synth(build: (stack: TerraformStack) => void): string {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new ShoreguardProvider(stack, 'shoreguard', {});
  build(stack);
  return Testing.synth(stack);
}

describe('ChangeFreeze', () => {
  test('GIVEN a Date expiry WHEN synthesized THEN the pin carries the ISO-8601 UTC expiry and the reason', () => {
    const out = synth((s) => new ChangeFreeze(s, 'freeze', { gateway: 'edge', sandboxName: 'agent-1', reason: 'release', expiresAt: new Date(Date.UTC(2031, 0, 2, 3, 4, 5)) }));
    expect(out).toHaveResourceWithProperties(PolicyPin, { gateway: 'edge', sandbox_name: 'agent-1', reason: 'release', expires_at: '2031-01-02T03:04:05.000Z' });
    expect(out).not.toHaveResource(ApprovalWorkflow);
  });

  test('GIVEN no reason WHEN synthesized THEN the default reason names the construct path', () => {
    const out = synth((s) => new ChangeFreeze(s, 'q4-freeze', { gateway: 'edge', sandboxName: 'agent-1', expiresAt: '2031-01-01T00:00:00Z' }));
    expect(out).toHaveResourceWithProperties(PolicyPin, { reason: 'Change freeze managed by CDKTF (test/q4-freeze)' });
  });

  test('GIVEN a quorum WHEN synthesized THEN a workflow with the defaults filled in guards the same sandbox', () => {
    const out = synth((s) => new ChangeFreeze(s, 'freeze', { gateway: 'edge', sandboxName: 'agent-1', expiresAt: '2031-01-01T00:00:00Z', quorum: { requiredApprovals: 3 } }));
    expect(out).toHaveResourceWithProperties(ApprovalWorkflow, { gateway: 'edge', sandbox_name: 'agent-1', required_approvals: 3, required_roles: ['admin', 'operator'], distinct_actors: true });
  });

  test('GIVEN no expiry WHEN constructed THEN it is refused unless indefinite is asked for', () => {
    expect(() => synth((s) => new ChangeFreeze(s, 'f', { gateway: 'edge', sandboxName: 'sb' }))).toThrow(ConstructPropsError);
    expect(() => synth((s) => new ChangeFreeze(s, 'f', { gateway: 'edge', sandboxName: 'sb' }))).toThrow('test/f: expiresAt is required: every freeze should end.');
    const out = synth((s) => new ChangeFreeze(s, 'f', { gateway: 'edge', sandboxName: 'sb', indefinite: true }));
    expect(out).toHaveResourceWithProperties(PolicyPin, { sandbox_name: 'sb' });
    const pins = Object.values((JSON.parse(out) as { resource: Record<string, Record<string, Record<string, unknown>>> }).resource['shoreguard_policy_pin'] ?? {});
    expect(pins).toHaveLength(1);
    expect(pins[0]).not.toHaveProperty('expires_at');
  });

  test('GIVEN a malformed expiry string WHEN constructed THEN the error quotes it and shows the format', () => {
    expect(() => synth((s) => new ChangeFreeze(s, 'f', { gateway: 'edge', sandboxName: 'sb', expiresAt: 'next friday' }))).toThrow(/expiresAt must be an ISO-8601 date-time such as 2030-01-31T18:00:00Z \(got "next friday"\)/);
  });

  test('GIVEN a quorum with an unknown role WHEN constructed THEN the error lists the allowed roles', () => {
    expect(() => synth((s) => new ChangeFreeze(s, 'f', { gateway: 'g', sandboxName: 'sb', indefinite: true, quorum: { requiredRoles: ['root' as 'admin'] } }))).toThrow('test/f: quorum.requiredRoles contains "root"; allowed: admin, operator, viewer.');
  });
});

describe('GovernedSandbox', () => {
  test('GIVEN only gateway and sandbox WHEN synthesized THEN a two-approval workflow of admins/operators exists and nothing else', () => {
    const out = synth((s) => new GovernedSandbox(s, 'gov', { gateway: 'edge', sandboxName: 'agent-1' }));
    expect(out).toHaveResourceWithProperties(ApprovalWorkflow, { gateway: 'edge', sandbox_name: 'agent-1', required_approvals: 2, required_roles: ['admin', 'operator'], distinct_actors: true });
    expect(out).not.toHaveResource(PolicyPin);
    expect(out).not.toHaveResource(SandboxBootHook);
  });

  test('GIVEN hooks in two phases WHEN synthesized THEN each gets its position within its phase and the documented defaults', () => {
    const out = synth(
      (s) =>
        new GovernedSandbox(s, 'gov', {
          gateway: 'edge',
          sandboxName: 'agent-1',
          bootHooks: [
            { name: 'a', command: 'echo a' },
            { name: 'b', command: 'echo b', phase: 'pre_create', timeoutSeconds: 5 },
            { name: 'c', command: 'echo c', env: { X: '1' } },
          ],
        }),
    );
    expect(out).toHaveResourceWithProperties(SandboxBootHook, { name: 'a', phase: 'post_create', order: 0, timeout_seconds: 30, enabled: true, continue_on_failure: false, workdir: '' });
    expect(out).toHaveResourceWithProperties(SandboxBootHook, { name: 'b', phase: 'pre_create', order: 0, timeout_seconds: 5 });
    expect(out).toHaveResourceWithProperties(SandboxBootHook, { name: 'c', phase: 'post_create', order: 1, env: { X: '1' } });
  });

  test('GIVEN a freeze WHEN synthesized THEN a pin with that expiry is part of the sandbox', () => {
    const out = synth((s) => new GovernedSandbox(s, 'gov', { gateway: 'edge', sandboxName: 'agent-1', freeze: { reason: 'audit', expiresAt: '2031-05-01T00:00:00Z' } }));
    expect(out).toHaveResourceWithProperties(PolicyPin, { gateway: 'edge', sandbox_name: 'agent-1', reason: 'audit', expires_at: '2031-05-01T00:00:00Z' });
  });

  test('GIVEN two hooks with the same name and phase WHEN constructed THEN it is refused naming the second one', () => {
    expect(() =>
      synth((s) => new GovernedSandbox(s, 'gov', { gateway: 'edge', sandboxName: 'sb', bootHooks: [{ name: 'x', command: 'a' }, { name: 'x', command: 'b' }] })),
    ).toThrow('test/gov: bootHooks[1].name repeats "x" in phase post_create; hook names are unique per sandbox and phase.');
  });

  test('GIVEN an approval count out of range WHEN constructed THEN the error gives the range', () => {
    expect(() => synth((s) => new GovernedSandbox(s, 'gov', { gateway: 'edge', sandboxName: 'sb', approvals: { requiredApprovals: 0 } }))).toThrow('approvals.requiredApprovals must be a whole number from 1 to 20 (got 0).');
  });

  test('GIVEN a gateway referenced from another resource WHEN synthesized THEN the reference passes through unchecked', () => {
    const out = synth((s) => {
      const pin = new PolicyPin(s, 'other', { gateway: 'edge', sandboxName: 'x' });
      new GovernedSandbox(s, 'gov', { gateway: pin.gateway, sandboxName: 'sb' });
    });
    expect(out).toHaveResourceWithProperties(ApprovalWorkflow, { gateway: '${shoreguard_policy_pin.other.gateway}' });
  });
});
