// Gateway registry under /api/gateway (§4) and the gateway-scoped health probe.
import type { ConformanceCase } from '../../support/conformance/runner';
import { onlyItems } from './fixtures';

const gatewayPath = (name: string): string => `/api/gateway/${encodeURIComponent(name)}`;

export const gatewayCases: ConformanceCase[] = [
  {
    id: 'gateway/register-duplicate-delete',
    title: 'GIVEN a live gateway WHEN an admin registers it, again, then deletes it twice THEN 201 connected, 409, 200 {success,name}, 404',
    requires: { registersGateways: true },
    async run(c) {
      const name = c.name('gw');
      const body = { name, endpoint: c.endpoint(name, true), scheme: 'http', auth_mode: 'insecure', description: 'conformance', labels: { suite: 'conformance' } };
      await c.step('register', 'admin', 'POST', '/api/gateway/register', { body });
      await c.step('register again', 'admin', 'POST', '/api/gateway/register', { body });
      await c.step('info', 'viewer', 'GET', `${gatewayPath(name)}/info`);
      await c.step('delete', 'admin', 'DELETE', gatewayPath(name));
      await c.step('delete again', 'admin', 'DELETE', gatewayPath(name));
    },
  },
  {
    id: 'gateway/register-unreachable',
    title: 'GIVEN an endpoint nobody answers on WHEN an admin registers it THEN 201 with connected:false, status:"unreachable"',
    requires: { registersGateways: true },
    async run(c) {
      const name = c.name('down');
      await c.step('register', 'admin', 'POST', '/api/gateway/register', { body: { name, endpoint: c.endpoint(name, false), scheme: 'http', auth_mode: 'none' } });
      await c.step('list', 'viewer', 'GET', '/api/gateway/list', { select: onlyItems('name', [name]) });
      await c.step('delete', 'admin', 'DELETE', gatewayPath(name));
    },
  },
  {
    id: 'gateway/register-validation',
    title: 'GIVEN invalid register bodies WHEN an admin registers THEN 422 for endpoint/scheme/auth_mode, 400 for name/labels/description',
    async run(c) {
      const name = c.name('bad');
      const register = (label: string, body: unknown) => c.step(label, 'admin', 'POST', '/api/gateway/register', { body });
      await register('endpoint with scheme', { name, endpoint: 'http://127.0.0.1:5' });
      await register('endpoint port out of range', { name, endpoint: '127.0.0.1:70000' });
      await register('bad scheme', { name, endpoint: '127.0.0.1:1', scheme: 'grpc' });
      await register('bad auth_mode', { name, endpoint: '127.0.0.1:1', auth_mode: 'kerberos' });
      await register('missing endpoint', { name });
      await register('bad name', { name: '-bad', endpoint: '127.0.0.1:1' });
      await register('bad name and bad endpoint', { name: '-bad', endpoint: 'nope' });
      await register('bad label key', { name, endpoint: '127.0.0.1:1', labels: { '-x': 'y' } });
      await register('description too long', { name, endpoint: '127.0.0.1:1', description: 'd'.repeat(1001) });
      await register('bad runtime', { name, endpoint: '127.0.0.1:1', metadata: { runtime: 'vmware' } });
    },
  },
  {
    id: 'gateway/list-and-label-filter',
    title: 'GIVEN registered gateways WHEN a viewer lists them, by label, and with a malformed filter THEN 200 {items,total} and 400',
    requires: { registersGateways: true },
    async run(c) {
      const name = c.name('lbl');
      const label = c.name('team');
      await c.send('admin', 'POST', '/api/gateway/register', {
        body: { name, endpoint: c.endpoint(name, true), scheme: 'http', auth_mode: 'insecure', labels: { team: label } },
      });
      await c.step('list', 'viewer', 'GET', '/api/gateway/list', { select: onlyItems('name', [name, c.gateway]) });
      await c.step('by label', 'viewer', 'GET', `/api/gateway/list?label=${encodeURIComponent(`team:${label}`)}`);
      await c.step('by unknown label', 'viewer', 'GET', `/api/gateway/list?label=${encodeURIComponent(`team:${label}-none`)}`);
      await c.step('malformed filter', 'viewer', 'GET', '/api/gateway/list?label=bad');
      await c.step('unknown runtime', 'viewer', 'GET', '/api/gateway/list?runtime=vmware');
      await c.send('admin', 'DELETE', gatewayPath(name));
    },
  },
  {
    id: 'gateway/info',
    title: 'GIVEN the connected gateway WHEN a viewer reads /info, an unknown name and an invalid name THEN 200, 500 (unknown), 400',
    async run(c) {
      await c.step('info', 'viewer', 'GET', `${gatewayPath(c.gateway)}/info`);
      await c.step('unknown', 'viewer', 'GET', `${gatewayPath(c.name('nope'))}/info`);
      await c.step('invalid name', 'viewer', 'GET', `${gatewayPath('-x')}/info`);
    },
  },
  {
    id: 'gateway/patch',
    title: 'GIVEN a registered gateway WHEN an admin PATCHes description/labels, {} and an unknown name THEN 200, 400, 404',
    requires: { registersGateways: true },
    async run(c) {
      const name = c.name('patch');
      await c.send('admin', 'POST', '/api/gateway/register', { body: { name, endpoint: c.endpoint(name, true), scheme: 'http', auth_mode: 'insecure' } });
      await c.step('set description and labels', 'admin', 'PATCH', gatewayPath(name), { body: { description: 'patched', labels: { a: 'b' } } });
      await c.step('clear description', 'admin', 'PATCH', gatewayPath(name), { body: { description: null } });
      await c.step('empty patch', 'admin', 'PATCH', gatewayPath(name), { body: {} });
      await c.step('bad labels', 'admin', 'PATCH', gatewayPath(name), { body: { labels: { '-x': 'y' } } });
      await c.step('unknown gateway', 'admin', 'PATCH', gatewayPath(c.name('nope')), { body: { description: 'x' } });
      await c.step('viewer', 'viewer', 'PATCH', gatewayPath(name), { body: { description: 'x' } });
      await c.step('info after patch', 'viewer', 'GET', `${gatewayPath(name)}/info`);
      await c.send('admin', 'DELETE', gatewayPath(name));
    },
  },
  {
    id: 'gateway/health',
    title: 'GIVEN the connected gateway and an unregistered name WHEN a viewer reads /api/gateways/{gw}/health THEN 200 and 503',
    async run(c) {
      await c.step('connected', 'viewer', 'GET', `/api/gateways/${c.gateway}/health`);
      await c.step('unregistered', 'viewer', 'GET', `/api/gateways/${c.name('nope')}/health`);
    },
  },
];
