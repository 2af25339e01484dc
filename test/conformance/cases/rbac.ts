// Users, service principals, groups, members and gateway roles (§2.5, §3, §5).
import { z } from 'zod';
import type { CaseContext, ConformanceCase } from '../../support/conformance/runner';
import { onlyItems, sandboxPath, UNKNOWN_ID } from './fixtures';

const CreatedSchema = z.object({ id: z.number() });
const CreatedServicePrincipalSchema = z.object({ id: z.number(), key: z.string(), key_prefix: z.string() });

/** Reads the id of a 201 reply; a failed create breaks the case loudly (both targets must create). */
function createdId(label: string, body: unknown): number {
  const parsed = CreatedSchema.safeParse(body);
  if (!parsed.success) throw new Error(`${label}: expected a created object with an id, got ${JSON.stringify(body)?.slice(0, 200)}`);
  return parsed.data.id;
}

async function createUser(c: CaseContext, suffix: string, role = 'viewer'): Promise<{ id: number; email: string }> {
  const email = `${c.name(suffix)}@example.com`;
  const reply = await c.send('admin', 'POST', '/api/auth/users', { body: { email, role } });
  return { id: createdId('create user', reply.body), email };
}

async function createGroup(c: CaseContext, suffix: string): Promise<{ id: number; name: string }> {
  const name = c.name(suffix);
  const reply = await c.send('admin', 'POST', '/api/auth/groups', { body: { name, role: 'viewer', description: 'set-up' } });
  return { id: createdId('create group', reply.body), name };
}

export const rbacCases: ConformanceCase[] = [
  {
    id: 'users/lifecycle',
    title: 'GIVEN an admin WHEN creating, duplicating, listing and deleting a user THEN 201 with invite_token, 409, 400s, 200, 404',
    async run(c) {
      const email = `${c.name('user')}@example.com`;
      const created = await c.step('create', 'admin', 'POST', '/api/auth/users', { body: { email, role: 'operator' } });
      const id = createdId('create user', created.body);
      await c.step('duplicate', 'admin', 'POST', '/api/auth/users', { body: { email: email.toUpperCase(), role: 'viewer' } });
      await c.step('bad email', 'admin', 'POST', '/api/auth/users', { body: { email: 'not-an-email', role: 'viewer' } });
      await c.step('bad role', 'admin', 'POST', '/api/auth/users', { body: { email: `x${email}`, role: 'root' } });
      await c.step('list', 'admin', 'GET', '/api/auth/users', { select: onlyItems('email', [email]) });
      await c.step('delete', 'admin', 'DELETE', `/api/auth/users/${id}`);
      await c.step('delete again', 'admin', 'DELETE', `/api/auth/users/${id}`);
      await c.step('delete unknown', 'admin', 'DELETE', `/api/auth/users/${UNKNOWN_ID}`);
    },
  },
  {
    id: 'service-principals/lifecycle',
    title: 'GIVEN an admin WHEN creating, duplicating, listing and deleting a service principal THEN 201 with key, 409, 400s, 200, 404',
    async run(c) {
      const name = c.name('sp');
      const created = await c.step('create', 'admin', 'POST', '/api/auth/service-principals', { body: { name, role: 'viewer' } });
      const sp = CreatedServicePrincipalSchema.parse(created.body);
      c.fact('key starts with its key_prefix', sp.key.startsWith(sp.key_prefix));
      await c.step('new key authenticates', { bearer: sp.key }, 'GET', '/api/gateway/list', { select: onlyItems('name', [c.gateway]) });
      await c.step('duplicate', 'admin', 'POST', '/api/auth/service-principals', { body: { name, role: 'viewer' } });
      await c.step('bad role', 'admin', 'POST', '/api/auth/service-principals', { body: { name: `${name}-x`, role: 'root' } });
      await c.step('blank name', 'admin', 'POST', '/api/auth/service-principals', { body: { name: '   ', role: 'viewer' } });
      await c.step('list', 'admin', 'GET', '/api/auth/service-principals', { select: onlyItems('name', [name]) });
      await c.step('delete', 'admin', 'DELETE', `/api/auth/service-principals/${sp.id}`);
      await c.step('deleted key is refused', { bearer: sp.key }, 'GET', '/api/gateway/list');
      await c.step('delete again', 'admin', 'DELETE', `/api/auth/service-principals/${sp.id}`);
    },
  },
  {
    id: 'service-principals/gateway-role-override',
    title: 'GIVEN a viewer SP WHEN an admin gives it operator on the gateway THEN operator routes there answer 200, and 403 again once removed',
    async run(c) {
      const created = await c.send('admin', 'POST', '/api/auth/service-principals', { body: { name: c.name('sp'), role: 'viewer' } });
      const sp = CreatedServicePrincipalSchema.parse(created.body);
      const workflow = `${sandboxPath(c.gateway, c.name('sb'))}/approval-workflow`;
      const roles = `/api/auth/service-principals/${sp.id}/gateway-roles`;
      await c.step('as viewer', { bearer: sp.key }, 'GET', workflow);
      await c.step('grant operator', 'admin', 'PUT', `${roles}/${c.gateway}`, { body: { role: 'operator' } });
      await c.step('list roles', 'admin', 'GET', roles);
      await c.step('as gateway operator', { bearer: sp.key }, 'GET', workflow);
      await c.step('grant on unknown gateway', 'admin', 'PUT', `${roles}/${c.name('nope')}`, { body: { role: 'operator' } });
      await c.step('grant bad role', 'admin', 'PUT', `${roles}/${c.gateway}`, { body: { role: 'root' } });
      await c.step('revoke', 'admin', 'DELETE', `${roles}/${c.gateway}`);
      await c.step('revoke again', 'admin', 'DELETE', `${roles}/${c.gateway}`);
      await c.step('as viewer again', { bearer: sp.key }, 'GET', workflow);
      await c.send('admin', 'DELETE', `/api/auth/service-principals/${sp.id}`);
    },
  },
  {
    id: 'groups/lifecycle',
    title: 'GIVEN an admin WHEN creating, reading, updating and deleting a group THEN 201, 409, 400, 200 (PUT without description clears it), 404',
    async run(c) {
      const name = c.name('grp');
      const created = await c.step('create', 'admin', 'POST', '/api/auth/groups', { body: { name, role: 'viewer', description: 'first' } });
      const id = createdId('create group', created.body);
      await c.step('duplicate', 'admin', 'POST', '/api/auth/groups', { body: { name, role: 'viewer' } });
      await c.step('bad role', 'admin', 'POST', '/api/auth/groups', { body: { name: `${name}-x`, role: 'root' } });
      await c.step('list', 'admin', 'GET', '/api/auth/groups', { select: onlyItems('name', [name]) });
      await c.step('get', 'admin', 'GET', `/api/auth/groups/${id}`);
      await c.step('put role only', 'admin', 'PUT', `/api/auth/groups/${id}`, { body: { role: 'operator' } });
      await c.step('put bad role', 'admin', 'PUT', `/api/auth/groups/${id}`, { body: { role: 'root' } });
      await c.step('put unknown', 'admin', 'PUT', `/api/auth/groups/${UNKNOWN_ID}`, { body: { role: 'viewer' } });
      await c.step('get unknown', 'admin', 'GET', `/api/auth/groups/${UNKNOWN_ID}`);
      await c.step('delete', 'admin', 'DELETE', `/api/auth/groups/${id}`);
      await c.step('get deleted', 'admin', 'GET', `/api/auth/groups/${id}`);
      await c.step('delete again', 'admin', 'DELETE', `/api/auth/groups/${id}`);
    },
  },
  {
    id: 'groups/members',
    title: 'GIVEN a group and a user WHEN adding, re-adding and removing the member THEN 201, 409, 404s, 200, 404',
    async run(c) {
      const group = await createGroup(c, 'grp');
      const user = await createUser(c, 'member');
      const members = `/api/auth/groups/${group.id}/members`;
      await c.step('add', 'admin', 'POST', members, { body: { user_id: user.id } });
      await c.step('add again', 'admin', 'POST', members, { body: { user_id: user.id } });
      await c.step('add unknown user', 'admin', 'POST', members, { body: { user_id: UNKNOWN_ID } });
      await c.step('add to unknown group', 'admin', 'POST', `/api/auth/groups/${UNKNOWN_ID}/members`, { body: { user_id: user.id } });
      await c.step('add without user_id', 'admin', 'POST', members, { body: {} });
      await c.step('get with members', 'admin', 'GET', `/api/auth/groups/${group.id}`);
      await c.step('remove', 'admin', 'DELETE', `${members}/${user.id}`);
      await c.step('remove again', 'admin', 'DELETE', `${members}/${user.id}`);
      await c.send('admin', 'DELETE', `/api/auth/groups/${group.id}`);
      await c.send('admin', 'DELETE', `/api/auth/users/${user.id}`);
    },
  },
  {
    id: 'groups/gateway-roles',
    title: 'GIVEN a group WHEN an admin sets, lists and removes its role on a gateway THEN 200 upsert, 404 unknown gateway/group, 400 bad role',
    async run(c) {
      const group = await createGroup(c, 'grp');
      const roles = `/api/auth/groups/${group.id}/gateway-roles`;
      await c.step('set', 'admin', 'PUT', `${roles}/${c.gateway}`, { body: { role: 'operator' } });
      await c.step('set again (upsert)', 'admin', 'PUT', `${roles}/${c.gateway}`, { body: { role: 'admin' } });
      await c.step('list', 'admin', 'GET', roles);
      await c.step('bad role', 'admin', 'PUT', `${roles}/${c.gateway}`, { body: { role: 'root' } });
      await c.step('unknown gateway', 'admin', 'PUT', `${roles}/${c.name('nope')}`, { body: { role: 'viewer' } });
      await c.step('unknown group', 'admin', 'PUT', `/api/auth/groups/${UNKNOWN_ID}/gateway-roles/${c.gateway}`, { body: { role: 'viewer' } });
      await c.step('list of unknown group', 'admin', 'GET', `/api/auth/groups/${UNKNOWN_ID}/gateway-roles`);
      await c.step('remove', 'admin', 'DELETE', `${roles}/${c.gateway}`);
      await c.step('remove again', 'admin', 'DELETE', `${roles}/${c.gateway}`);
      await c.step('viewer', 'viewer', 'GET', roles);
      await c.send('admin', 'DELETE', `/api/auth/groups/${group.id}`);
    },
  },
];
