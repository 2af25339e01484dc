// Probes, routing and authentication/authorisation (§1.1–§1.3, §2).
import type { ConformanceCase } from '../../support/conformance/runner';
import { sandboxPath, SEED_POLICY } from './fixtures';

export const authCases: ConformanceCase[] = [
  {
    id: 'probe/healthz-and-version',
    title: 'GIVEN no credentials WHEN GET /healthz and /version THEN 200 plain JSON with the server version',
    async run(c) {
      await c.step('healthz', null, 'GET', '/healthz');
      await c.step('version', null, 'GET', '/version');
    },
  },
  {
    id: 'routing/unknown-route-and-method',
    title: 'GIVEN an admin WHEN an unknown route or a wrong method is called THEN 404/405 plain JSON without code',
    async run(c) {
      await c.step('unknown route', 'admin', 'GET', '/api/no-such-route');
      await c.step('wrong method', 'admin', 'PUT', '/api/gateway/list', { body: {} });
    },
  },
  {
    id: 'auth/401-missing-or-unknown-credentials',
    title: 'GIVEN no, an unknown or a non-Bearer credential WHEN a protected route is called THEN 401 problem with WWW-Authenticate: Bearer',
    async run(c) {
      await c.step('no credentials', null, 'GET', '/api/gateway/list');
      await c.step('unknown SP key', { bearer: `sg_${'A'.repeat(43)}` }, 'GET', '/api/gateway/list');
      await c.step('other scheme', null, 'GET', '/api/gateway/list', { headers: { authorization: 'Token abc' } });
      await c.step('unauthenticated write', null, 'POST', '/api/auth/groups', { body: { name: c.name('g') } });
    },
  },
  {
    id: 'auth/400-bad-gateway-name-before-auth',
    title: 'GIVEN no credentials WHEN a gateway-scoped route names an invalid gateway THEN 400 (the name check runs before auth)',
    async run(c) {
      await c.step('bad name, no auth', null, 'GET', '/api/gateways/-bad/sandboxes/x/policy/export');
      await c.step('bad name, viewer', 'viewer', 'GET', '/api/gateways/-bad/sandboxes/x/policy/pin');
    },
  },
  {
    id: 'auth/403-role-checks',
    title: 'GIVEN a viewer or operator WHEN calling routes above their role THEN 403 "Requires <role> role"',
    async run(c) {
      const sandbox = await c.seedSandbox('sb', SEED_POLICY);
      const base = sandboxPath(c.gateway, sandbox);
      await c.step('viewer lists groups', 'viewer', 'GET', '/api/auth/groups');
      await c.step('operator lists users', 'operator', 'GET', '/api/auth/users');
      await c.step('operator lists service principals', 'operator', 'GET', '/api/auth/service-principals');
      await c.step('viewer registers a gateway', 'viewer', 'POST', '/api/gateway/register', {
        body: { name: c.name('gw'), endpoint: '127.0.0.1:1' },
      });
      await c.step('viewer applies', 'viewer', 'POST', `${base}/policy/apply`, { body: { yaml: 'policy: {}\n', dry_run: true } });
      await c.step('viewer pins', 'viewer', 'POST', `${base}/policy/pin`, { body: {} });
      await c.step('viewer reads the workflow', 'viewer', 'GET', `${base}/approval-workflow`);
      await c.step('operator writes the workflow', 'operator', 'PUT', `${base}/approval-workflow`, { body: { required_approvals: 2 } });
      await c.step('operator creates a hook', 'operator', 'POST', `${base}/hooks`, {
        body: { name: 'h', phase: 'pre_create', command: 'true' },
      });
      await c.step('viewer reads the export', 'viewer', 'GET', `${base}/policy/export`);
    },
  },
];
