/** RBAC groups, members and group gateway roles under `/api/auth/groups` (§5). All admin. */
import { jsonReply, ProblemError, type PydanticError } from '../core/http';
import { compareCodePoints, type PyValue } from '../core/python';
import { validateBody, type ModelSpec } from '../core/validation';
import { defineRoute, type RequestContext } from '../http/router';
import { freshTimestamp, GROUP_DETAIL_MEMBER_COUNT, groupDescriptionAfterPut, invalidRoleDetail, storedTimestamp } from '../quirks';
import { isRole, type GroupRecord, type Role } from '../state';
import { gatewayRoleBody, listGatewayRoles, removeGatewayRole, upsertGatewayRole } from './auth';
import { intPathParam } from './common';

const CREATE_SPEC: ModelSpec = {
  name: { spec: { kind: 'str' }, required: true },
  role: { spec: { kind: 'str' }, default: 'viewer' },
  description: { spec: { kind: 'str' }, nullable: true },
};

const UPDATE_SPEC: ModelSpec = {
  name: { spec: { kind: 'str' }, nullable: true },
  role: { spec: { kind: 'str' }, nullable: true },
  description: { spec: { kind: 'str' }, nullable: true },
};

const MEMBER_SPEC: ModelSpec = { user_id: { spec: { kind: 'int' }, required: true } };
const ROLE_SPEC: ModelSpec = { role: { spec: { kind: 'str' }, required: true } };

function groupBody(group: GroupRecord, memberCount: number | null, createdAt: string): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    role: group.role,
    description: group.description,
    created_at: createdAt,
    member_count: memberCount,
  };
}

function checkRole(role: string): Role {
  if (!isRole(role)) throw new ProblemError(400, invalidRoleDetail(role, false));
  return role;
}

function nameTaken(context: RequestContext, name: string, exceptId: number | null): boolean {
  return [...context.state.groups.values()].some((group) => group.name === name && group.id !== exceptId);
}

interface IdAndBody {
  id: number;
  values: Record<string, PyValue>;
}

function parseIdAndBody(spec: ModelSpec) {
  return (context: RequestContext, errors: PydanticError[]): IdAndBody => {
    const id = intPathParam(context, errors, 'group_id');
    const body = validateBody(spec, context.body, errors);
    return { id, values: body.values };
  };
}

const BASE = '/api/auth/groups';

export const groupRoutes = [
  defineRoute({
    method: 'GET',
    path: BASE,
    auth: 'required',
    minRole: 'admin',
    handle: (context) => {
      const groups = [...context.state.groups.values()].sort((a, b) => compareCodePoints(a.name, b.name));
      return jsonReply(
        200,
        groups.map((group) =>
          groupBody(group, context.state.groupMembers.filter((member) => member.groupId === group.id).length, storedTimestamp(group.createdAt)),
        ),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    path: BASE,
    auth: 'required',
    minRole: 'admin',
    jsonBody: true,
    parse: (context, errors) => validateBody(CREATE_SPEC, context.body, errors),
    handle: (context, input: { values: Record<string, PyValue> }) => {
      const role = checkRole(String(input.values['role']));
      const name = String(input.values['name']).trim();
      if (nameTaken(context, name, null)) throw new ProblemError(409, 'Group name already exists');
      const group: GroupRecord = {
        id: context.state.allocateId('groups'),
        name,
        role,
        description: (input.values['description'] as string | null) ?? null,
        createdAt: context.state.nowMicros(),
      };
      context.state.groups.set(group.id, group);
      return jsonReply(201, groupBody(group, 0, freshTimestamp(group.createdAt)));
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/{group_id}`,
    auth: 'required',
    minRole: 'admin',
    parse: (context, errors) => intPathParam(context, errors, 'group_id'),
    handle: (context, groupId: number) => {
      const group = context.state.groups.get(groupId);
      if (!group) throw new ProblemError(404, 'Group not found');
      const members = context.state.groupMembers
        .filter((member) => member.groupId === groupId)
        .map((member) => context.state.users.get(member.userId))
        .filter((user) => user !== undefined)
        .sort((a, b) => compareCodePoints(a.email, b.email))
        .map((user) => ({ id: user.id, email: user.email, role: user.role }));
      return jsonReply(200, { ...groupBody(group, GROUP_DETAIL_MEMBER_COUNT, storedTimestamp(group.createdAt)), members });
    },
  }),
  defineRoute({
    method: 'PUT',
    path: `${BASE}/{group_id}`,
    auth: 'required',
    minRole: 'admin',
    jsonBody: true,
    parse: parseIdAndBody(UPDATE_SPEC),
    handle: (context, input: IdAndBody) => {
      const role = input.values['role'] ?? null;
      if (role !== null) checkRole(String(role));
      const group = context.state.groups.get(input.id);
      if (!group) throw new ProblemError(404, `Group ${input.id} not found`);
      const name = input.values['name'] ?? null;
      if (name !== null && nameTaken(context, String(name).trim(), group.id)) throw new ProblemError(409, 'Group name already exists');
      if (name !== null) group.name = String(name).trim();
      if (role !== null) group.role = role as Role;
      group.description = groupDescriptionAfterPut({ description: (input.values['description'] as string | null) ?? null });
      return jsonReply(200, groupBody(group, GROUP_DETAIL_MEMBER_COUNT, storedTimestamp(group.createdAt)));
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${BASE}/{group_id}`,
    auth: 'required',
    minRole: 'admin',
    parse: (context, errors) => intPathParam(context, errors, 'group_id'),
    handle: (context, groupId: number) => {
      const state = context.state;
      if (!state.groups.delete(groupId)) throw new ProblemError(404, 'Group not found');
      state.groupMembers.splice(0, state.groupMembers.length, ...state.groupMembers.filter((member) => member.groupId !== groupId));
      state.gatewayRoles = state.gatewayRoles.filter((row) => !(row.subject === 'group' && row.subjectId === groupId));
      return jsonReply(200, { ok: true });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/{group_id}/members`,
    auth: 'required',
    minRole: 'admin',
    jsonBody: true,
    parse: parseIdAndBody(MEMBER_SPEC),
    handle: (context, input: IdAndBody) => {
      const group = context.state.groups.get(input.id);
      if (!group) throw new ProblemError(404, `Group ${input.id} not found`);
      const userId = Number(input.values['user_id']);
      const user = context.state.users.get(userId);
      if (!user) throw new ProblemError(404, `User ${userId} not found`);
      if (context.state.groupMembers.some((member) => member.groupId === group.id && member.userId === userId)) {
        throw new ProblemError(409, 'User is already a member');
      }
      context.state.groupMembers.push({ groupId: group.id, userId });
      return jsonReply(201, { group_id: group.id, group_name: group.name, user_id: userId, user_email: user.email });
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${BASE}/{group_id}/members/{user_id}`,
    auth: 'required',
    minRole: 'admin',
    parse: (context, errors) => ({ groupId: intPathParam(context, errors, 'group_id'), userId: intPathParam(context, errors, 'user_id') }),
    handle: (context, input: { groupId: number; userId: number }) => {
      const state = context.state;
      if (!state.groups.has(input.groupId)) throw new ProblemError(404, 'Group not found');
      const index = state.groupMembers.findIndex((member) => member.groupId === input.groupId && member.userId === input.userId);
      if (index === -1) throw new ProblemError(404, 'Membership not found');
      state.groupMembers.splice(index, 1);
      return jsonReply(200, { ok: true });
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/{group_id}/gateway-roles`,
    auth: 'required',
    minRole: 'admin',
    parse: (context, errors) => intPathParam(context, errors, 'group_id'),
    handle: (context, groupId: number) => jsonReply(200, listGatewayRoles(context.state, 'group', groupId)),
  }),
  defineRoute({
    method: 'PUT',
    path: `${BASE}/{group_id}/gateway-roles/{gw}`,
    auth: 'required',
    minRole: 'admin',
    jsonBody: true,
    parse: parseIdAndBody(ROLE_SPEC),
    handle: (context, input: IdAndBody) => {
      const role = checkRole(String(input.values['role']));
      const gateway = context.params['gw'] ?? '';
      if (!context.state.groups.has(input.id)) throw new ProblemError(404, `Group ${input.id} not found`);
      upsertGatewayRole(context.state, 'group', input.id, gateway, role, true, 'Gateway role conflict');
      return jsonReply(200, gatewayRoleBody(gateway, role, { group_id: input.id }));
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${BASE}/{group_id}/gateway-roles/{gw}`,
    auth: 'required',
    minRole: 'admin',
    parse: (context, errors) => intPathParam(context, errors, 'group_id'),
    handle: (context, groupId: number) => {
      if (!removeGatewayRole(context.state, 'group', groupId, context.params['gw'] ?? '')) {
        throw new ProblemError(404, 'Gateway role not found');
      }
      return jsonReply(200, { ok: true });
    },
  }),
];
