// Approval workflows (§6), policy pins incl. expiry (§7) and boot hooks (§8).
import { z } from 'zod';
import type { ConformanceCase } from '../../support/conformance/runner';
import { sandboxPath, SEED_POLICY, UNKNOWN_ID } from './fixtures';

const HookSchema = z.object({ id: z.number() });

export const workflowCases: ConformanceCase[] = [
  {
    id: 'workflow/lifecycle',
    title: 'GIVEN a sandbox without workflow WHEN admin PUTs, reads, replaces and deletes one THEN {} first, 200 with sorted roles, 422, 200 deleted, 404',
    async run(c) {
      // Workflows are keyed by name strings: the sandbox need not exist.
      const base = sandboxPath(c.gateway, c.name('sb'));
      await c.step('get none', 'operator', 'GET', `${base}/approval-workflow`);
      await c.step('decisions without workflow', 'viewer', 'GET', `${base}/approvals/policy.apply:0000000000000000/decisions`);
      await c.step('put', 'admin', 'PUT', `${base}/approval-workflow`, {
        body: { required_approvals: 3, required_roles: ['operator', 'admin'], distinct_actors: true, escalation_timeout_minutes: 30 },
      });
      await c.step('get', 'operator', 'GET', `${base}/approval-workflow`);
      await c.step('decisions with workflow', 'viewer', 'GET', `${base}/approvals/policy.apply:0000000000000000/decisions`);
      await c.step('put doc-style fields (ignored)', 'admin', 'PUT', `${base}/approval-workflow`, {
        body: { required_votes: 3, voters: ['alice@example.com'], escalation_deadline_seconds: 60 },
      });
      await c.step('put required_approvals 0', 'admin', 'PUT', `${base}/approval-workflow`, { body: { required_approvals: 0 } });
      await c.step('put escalation too long', 'admin', 'PUT', `${base}/approval-workflow`, { body: { escalation_timeout_minutes: 10081 } });
      await c.step('put wrong type', 'admin', 'PUT', `${base}/approval-workflow`, { body: { required_roles: 'admin' } });
      await c.step('delete', 'admin', 'DELETE', `${base}/approval-workflow`);
      await c.step('delete again', 'admin', 'DELETE', `${base}/approval-workflow`);
      await c.step('get after delete', 'operator', 'GET', `${base}/approval-workflow`);
    },
  },
];

export const pinCases: ConformanceCase[] = [
  {
    id: 'pin/lifecycle',
    title: 'GIVEN a sandbox with a policy WHEN pinning, re-pinning (upsert), reading and unpinning THEN 404, 200, 200, 200, 204, 404',
    async run(c) {
      const pin = `${sandboxPath(c.gateway, await c.seedSandbox('sb', SEED_POLICY))}/policy/pin`;
      await c.step('get unpinned', 'viewer', 'GET', pin);
      await c.step('pin with reason', 'operator', 'POST', pin, { body: { reason: 'release freeze' } });
      await c.step('re-pin by someone else, no body', 'operator2', 'POST', pin);
      await c.step('get', 'viewer', 'GET', pin);
      await c.step('viewer unpins', 'viewer', 'DELETE', pin);
      await c.step('unpin', 'operator', 'DELETE', pin);
      await c.step('unpin again', 'operator', 'DELETE', pin);
      await c.step('get after unpin', 'viewer', 'GET', pin);
    },
  },
  {
    id: 'pin/expiry',
    title: 'GIVEN pins with a past and a future expires_at WHEN read THEN the past one is gone (404) and the future one is returned',
    async run(c) {
      const pin = `${sandboxPath(c.gateway, await c.seedSandbox('sb', SEED_POLICY))}/policy/pin`;
      await c.step('pin expiring in the past (Z)', 'operator', 'POST', pin, { body: { reason: 'old', expires_at: '2000-01-01T00:00:00Z' } });
      await c.step('get expired', 'viewer', 'GET', pin);
      await c.step('pin expiring in the future', 'operator', 'POST', pin, { body: { expires_at: '2999-01-01T00:00:00+00:00' } });
      await c.step('get', 'viewer', 'GET', pin);
      await c.step('pin with naive expiry', 'operator', 'POST', pin, { body: { expires_at: '2999-06-01T12:30:00' } });
      await c.step('get naive', 'viewer', 'GET', pin);
      await c.step('unpin', 'operator', 'DELETE', pin);
    },
  },
  {
    id: 'pin/invalid-expiry-and-types',
    title: 'GIVEN a sandbox WHEN pinning with an unparseable expires_at or a non-string reason THEN 500 "Internal server error" and 422',
    async run(c) {
      const pin = `${sandboxPath(c.gateway, await c.seedSandbox('sb', SEED_POLICY))}/policy/pin`;
      await c.step('unparseable expires_at', 'operator', 'POST', pin, { body: { expires_at: 'not-a-date' } });
      await c.step('nothing stored', 'viewer', 'GET', pin);
      await c.step('reason is a number', 'operator', 'POST', pin, { body: { reason: 5 } });
    },
  },
  {
    id: 'pin/sandbox-without-revision',
    title: 'GIVEN a sandbox with no policy revision WHEN pinning or exporting THEN both answer the gateway NOT_FOUND as 404',
    requires: { bareSandbox: true },
    async run(c) {
      const base = sandboxPath(c.gateway, await c.seedSandbox('bare'));
      await c.step('pin', 'operator', 'POST', `${base}/policy/pin`, { body: {} });
      await c.step('get pin', 'viewer', 'GET', `${base}/policy/pin`);
      await c.step('export', 'viewer', 'GET', `${base}/policy/export`);
    },
  },
  {
    id: 'pin/unknown-sandbox',
    title: 'GIVEN a sandbox the gateway does not know WHEN pinning THEN 404 from the gateway',
    async run(c) {
      const base = sandboxPath(c.gateway, c.name('ghost'));
      await c.step('pin', 'operator', 'POST', `${base}/policy/pin`, { body: { reason: 'x' } });
      await c.step('get pin', 'viewer', 'GET', `${base}/policy/pin`);
    },
  },
];

export const hookCases: ConformanceCase[] = [
  {
    id: 'hooks/lifecycle',
    title: 'GIVEN a sandbox WHEN an admin creates, lists, updates, reorders, runs and deletes boot hooks THEN 200 (create), 400 duplicate, 422, 204, 404',
    async run(c) {
      const hooks = `${sandboxPath(c.gateway, c.name('sb'))}/hooks`;
      const first = await c.step('create', 'admin', 'POST', hooks, {
        // Commands print nothing: the emulator never executes them (see intended differences).
        body: { name: 'warm-cache', phase: 'pre_create', command: 'true', env: { A: '1' }, timeout_seconds: 20 },
      });
      const firstId = HookSchema.parse(first.body).id;
      await c.step('duplicate name in phase', 'admin', 'POST', hooks, { body: { name: 'warm-cache', phase: 'pre_create', command: 'true' } });
      await c.step('bad phase', 'admin', 'POST', hooks, { body: { name: 'x', phase: 'during', command: 'true' } });
      await c.step('empty command', 'admin', 'POST', hooks, { body: { name: 'x', phase: 'pre_create', command: '' } });
      await c.step('timeout too long', 'admin', 'POST', hooks, { body: { name: 'x', phase: 'pre_create', command: 'true', timeout_seconds: 601 } });
      const second = await c.step('create second', 'admin', 'POST', hooks, { body: { name: 'second', phase: 'pre_create', command: 'true' } });
      const secondId = HookSchema.parse(second.body).id;
      await c.step('create post_create', 'admin', 'POST', hooks, { body: { name: 'warm-cache', phase: 'post_create', command: 'true', enabled: false } });
      await c.step('list', 'viewer', 'GET', hooks);
      await c.step('list pre_create', 'viewer', 'GET', `${hooks}?phase=pre_create`);
      await c.step('list bad phase', 'viewer', 'GET', `${hooks}?phase=during`);
      await c.step('get', 'viewer', 'GET', `${hooks}/${firstId}`);
      await c.step('get unknown', 'viewer', 'GET', `${hooks}/${UNKNOWN_ID}`);
      await c.step('update', 'admin', 'PUT', `${hooks}/${firstId}`, { body: { command: 'true changed', continue_on_failure: true } });
      await c.step('update empty command', 'admin', 'PUT', `${hooks}/${firstId}`, { body: { command: '' } });
      await c.step('update unknown', 'admin', 'PUT', `${hooks}/${UNKNOWN_ID}`, { body: { command: 'true' } });
      await c.step('reorder', 'admin', 'POST', `${hooks}/reorder`, { body: { phase: 'pre_create', hook_ids: [secondId, firstId] } });
      await c.step('reorder with a missing id', 'admin', 'POST', `${hooks}/reorder`, { body: { phase: 'pre_create', hook_ids: [firstId] } });
      await c.step('run', 'operator', 'POST', `${hooks}/${firstId}/run`);
      await c.step('get after run', 'viewer', 'GET', `${hooks}/${firstId}`);
      await c.step('viewer deletes', 'viewer', 'DELETE', `${hooks}/${firstId}`);
      await c.step('delete', 'admin', 'DELETE', `${hooks}/${firstId}`);
      await c.step('delete again', 'admin', 'DELETE', `${hooks}/${firstId}`);
      await c.step('list after delete', 'viewer', 'GET', hooks);
    },
  },
];
