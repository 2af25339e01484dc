/**
 * Failures the emulator cannot produce on the resources' routes, answered by a mock dispatcher:
 * a 423 (no route these resources use is pin-guarded in ShoreGuard 0.40, but a newer server or a
 * proxy may answer it) must surface as the SDK's PinnedError unchanged, naming the owner of the pin.
 */
import { MockAgent } from 'undici';
import { PinnedError, createClient } from '../../../sdk';
import { resourceHandler } from '../../../provider/resources';

const ORIGIN = 'http://shoreguard.test';

describe('errors passed through the handlers', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });
  afterEach(async () => {
    await agent.close();
  });

  it('GIVEN ShoreGuard answers 423 WHEN a workflow is created THEN the PinnedError reaches the caller with who pinned', async () => {
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: '/api/gateways/gw/sandboxes/sb/approval-workflow', method: 'GET' }).reply(200, {}, { headers: { 'content-type': 'application/json' } });
    pool.intercept({ path: '/api/gateways/gw/sandboxes/sb/approval-workflow', method: 'PUT' }).reply(
      423,
      { type: 'about:blank', title: 'Internal Error', status: 423, detail: 'Policy is pinned at version 5 by alice@example.com. Unpin first.', code: 'INTERNAL_ERROR', request_id: 'r1' },
      { headers: { 'content-type': 'application/problem+json' } },
    );
    const client = createClient({ url: ORIGIN, token: 'test-token-abc', dispatcher: agent, env: {}, logger: { warn: () => undefined } });
    const workflow = resourceHandler('shoreguard_approval_workflow');
    const inputs = workflow.check({ gateway: 'gw', sandbox_name: 'sb' });
    if (!inputs.ok) throw new Error('inputs rejected');

    const error = await workflow.create({ client }, inputs.inputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PinnedError);
    expect(error).toMatchObject({ code: 'pinned', status: 423, pinnedVersion: 5, pinnedBy: 'alice@example.com', gateway: 'gw', sandbox: 'sb' });
    expect((error as Error).message).toContain("Sandbox 'sb' on gateway 'gw' is pinned");
    expect((error as Error).message).not.toContain('test-token-abc');
  });
});
