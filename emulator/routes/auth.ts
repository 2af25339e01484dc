/**
 * `/api/auth/*` except groups: check, login/logout/accept-invite, users, service principals and
 * the per-gateway role overrides of users and service principals (§2.5, §3).
 */
import { randomBytes } from 'node:crypto';
import { authenticate, isSetupComplete, SESSION_COOKIE, sessionCookieValue } from '../auth';
import { jsonReply, ProblemError, type PydanticError } from '../core/http';
import { compareCodePoints, pyIsoFormat, type PyValue } from '../core/python';
import { toValidatedDatetime, validateBody, type ModelSpec } from '../core/validation';
import { defineRoute, type RequestContext } from '../http/router';
import {
  freshTimestamp,
  INVALID_GATEWAY_NAME_ROLE_ROUTES,
  invalidRoleDetail,
  isValidGatewayName,
  SP_ROTATE_CREATED_AT,
  sqliteStoredDatetime,
  storedTimestamp,
} from '../quirks';
import {
  hashInviteToken,
  hashPassword,
  isRole,
  SESSION_MAX_AGE_SECONDS,
  verifyPassword,
  type EmulatorState,
  type GatewayRoleSubject,
  type Role,
  type ServicePrincipalRecord,
  type UserRecord,
} from '../state';
import { intPathParam } from './common';

const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+$/;
const PASSWORD_MIN_LENGTH = 8;

function sessionCookieHeader(token: string): Record<string, string> {
  return { 'set-cookie': `${SESSION_COOKIE}=${token}; HttpOnly; Max-Age=${SESSION_MAX_AGE_SECONDS}; Path=/; SameSite=lax` };
}

function userListItem(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    is_active: user.isActive,
    pending_invite: user.inviteTokenHash !== null,
    created_at: storedTimestamp(user.createdAt),
    oidc_provider: user.oidcProvider,
  };
}

function servicePrincipalItem(sp: ServicePrincipalRecord): Record<string, unknown> {
  return {
    id: sp.id,
    name: sp.name,
    role: sp.role,
    key_prefix: sp.keyPrefix,
    created_at: storedTimestamp(sp.createdAt),
    created_by: sp.createdBy,
    last_used: sp.lastUsed === null ? null : storedTimestamp(sp.lastUsed),
    expires_at: sp.expiresAt === null ? null : storedTimestamp(sp.expiresAt),
  };
}

/** `GatewayRoleResponse` field order; list endpoints leave the ids null. */
export function gatewayRoleBody(gatewayName: string, role: Role, ids: { user_id?: number; sp_id?: number; group_id?: number } = {}): object {
  return { gateway_name: gatewayName, role, user_id: ids.user_id ?? null, sp_id: ids.sp_id ?? null, group_id: ids.group_id ?? null };
}

/** Role overrides of one subject, ordered by gateway name (rows of unregistered gateways are gone). */
export function listGatewayRoles(state: EmulatorState, subject: GatewayRoleSubject, subjectId: number): object[] {
  const gatewaysById = new Map([...state.gateways.values()].map((gateway) => [gateway.id, gateway.name]));
  return state.gatewayRoles
    .filter((row) => row.subject === subject && row.subjectId === subjectId && gatewaysById.has(row.gatewayId))
    .map((row) => ({ name: gatewaysById.get(row.gatewayId)!, role: row.role }))
    .sort((a, b) => compareCodePoints(a.name, b.name))
    .map(({ name, role }) => gatewayRoleBody(name, role));
}

/** `set_gateway_role`: upsert; a missing gateway is 404 (NotFoundError), a missing subject a 409 (FK). */
export function upsertGatewayRole(
  state: EmulatorState,
  subject: GatewayRoleSubject,
  subjectId: number,
  gatewayName: string,
  role: Role,
  subjectExists: boolean,
  conflictDetail: string,
): void {
  const gateway = state.gateways.get(gatewayName);
  if (!gateway) throw new ProblemError(404, `Gateway '${gatewayName}' not found`);
  if (!subjectExists) throw new ProblemError(409, conflictDetail);
  const existing = state.gatewayRoles.find((row) => row.subject === subject && row.subjectId === subjectId && row.gatewayId === gateway.id);
  if (existing) existing.role = role;
  else state.gatewayRoles.push({ subject, subjectId, gatewayId: gateway.id, role });
}

export function removeGatewayRole(state: EmulatorState, subject: GatewayRoleSubject, subjectId: number, gatewayName: string): boolean {
  const gateway = state.gateways.get(gatewayName);
  if (!gateway) return false;
  const before = state.gatewayRoles.length;
  state.gatewayRoles = state.gatewayRoles.filter(
    (row) => !(row.subject === subject && row.subjectId === subjectId && row.gatewayId === gateway.id),
  );
  return state.gatewayRoles.length !== before;
}

const ROLE_BODY: ModelSpec = { role: { spec: { kind: 'str' }, required: true } };

function parseRoleBody(context: RequestContext, errors: PydanticError[], idParam: string): { id: number; role: string } {
  const id = intPathParam(context, errors, idParam);
  const body = validateBody(ROLE_BODY, context.body, errors);
  return { id, role: (body?.values['role'] as string | undefined) ?? '' };
}

function checkRoleRouteGateway(gateway: string): void {
  if (!isValidGatewayName(gateway)) throw new ProblemError(400, INVALID_GATEWAY_NAME_ROLE_ROUTES);
}

function requireValidRole(role: string, withChoices: boolean): Role {
  if (!isRole(role)) throw new ProblemError(400, invalidRoleDetail(role, withChoices));
  return role;
}

/** Routes for the gateway-role overrides of users or service principals (identical shapes). */
function principalGatewayRoleRoutes(kind: 'user' | 'sp'): ReturnType<typeof defineRoute>[] {
  const idParam = kind === 'user' ? 'user_id' : 'sp_id';
  const base = kind === 'user' ? '/api/auth/users/{user_id}/gateway-roles' : '/api/auth/service-principals/{sp_id}/gateway-roles';
  const exists = (state: EmulatorState, id: number): boolean =>
    kind === 'user' ? state.users.has(id) : state.servicePrincipals.has(id);
  return [
    defineRoute({
      method: 'GET',
      path: base,
      auth: 'required',
      minRole: 'admin',
      parse: (context, errors) => intPathParam(context, errors, idParam),
      handle: (context, id: number) => jsonReply(200, listGatewayRoles(context.state, kind, id)),
    }),
    defineRoute({
      method: 'PUT',
      path: `${base}/{gw}`,
      auth: 'required',
      minRole: 'admin',
      jsonBody: true,
      parse: (context, errors) => parseRoleBody(context, errors, idParam),
      handle: (context, input: { id: number; role: string }) => {
        const gateway = context.params['gw'] ?? '';
        checkRoleRouteGateway(gateway);
        const role = requireValidRole(input.role, true);
        upsertGatewayRole(context.state, kind, input.id, gateway, role, exists(context.state, input.id), 'Gateway role conflict');
        return jsonReply(200, gatewayRoleBody(gateway, role, kind === 'user' ? { user_id: input.id } : { sp_id: input.id }));
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: `${base}/{gw}`,
      auth: 'required',
      minRole: 'admin',
      parse: (context, errors) => intPathParam(context, errors, idParam),
      handle: (context, id: number) => {
        const gateway = context.params['gw'] ?? '';
        checkRoleRouteGateway(gateway);
        if (!removeGatewayRole(context.state, kind, id, gateway)) throw new ProblemError(404, 'Gateway role not found');
        return jsonReply(200, { ok: true });
      },
    }),
  ];
}

const CREATE_USER_BODY: ModelSpec = {
  email: { spec: { kind: 'str' }, required: true },
  role: { spec: { kind: 'str' }, default: 'viewer' },
};

const CREATE_SP_BODY: ModelSpec = {
  name: { spec: { kind: 'str' }, required: true },
  role: { spec: { kind: 'str' }, default: 'viewer' },
  expires_at: { spec: { kind: 'datetime' }, nullable: true },
};

const CREDENTIALS_BODY: ModelSpec = {
  email: { spec: { kind: 'str', minLength: 1, maxLength: 254 }, required: true },
  password: { spec: { kind: 'str', minLength: 1, maxLength: 128 }, required: true },
};

const ACCEPT_INVITE_BODY: ModelSpec = {
  token: { spec: { kind: 'str', minLength: 1, maxLength: 512 }, required: true },
  password: { spec: { kind: 'str', minLength: 1, maxLength: 128 }, required: true },
};

function sessionUserId(context: RequestContext): number | null {
  const cookie = sessionCookieValue(context.headers);
  return cookie ? context.state.verifySessionToken(cookie) : null;
}

function passwordProblem(password: string): string | null {
  if (Array.from(password).length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (Array.from(password).length > 128) return 'Password must be at most 128 characters';
  return null;
}

/** An aware input keeps its own offset in `isoformat()`; a naive one has none. */
function inputIsoFormat(value: PyValue): string | null {
  const parsed = toValidatedDatetime(value);
  if (!parsed) return null;
  if (!parsed.aware) return pyIsoFormat(parsed.wallClockMicros, false);
  const offsetMinutes = Math.round((parsed.wallClockMicros - parsed.instant) / 60_000_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
  return pyIsoFormat(parsed.wallClockMicros, false) + offset;
}

export const authRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/auth/check',
    auth: 'public',
    handle: (context) => {
      if (!isSetupComplete(context.state)) {
        return jsonReply(200, {
          authenticated: false,
          auth_enabled: false,
          role: null,
          email: null,
          needs_setup: true,
          registration_enabled: false,
          local_mode: null,
          oidc_providers: null,
        });
      }
      const principal = authenticate(context.state, context.headers);
      const cookieUser = principal ? sessionUserId(context) : null;
      return jsonReply(200, {
        authenticated: principal !== null,
        auth_enabled: true,
        role: principal?.role ?? null,
        email: cookieUser === null ? null : (context.state.users.get(cookieUser)?.email ?? null),
        needs_setup: false,
        registration_enabled: false,
        local_mode: context.settings.localMode,
        oidc_providers: [],
      });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/login',
    auth: 'public',
    jsonBody: true,
    parse: (context, errors) => validateBody(CREDENTIALS_BODY, context.body, errors),
    handle: (context, input: { values: Record<string, PyValue> }) => {
      if (!isSetupComplete(context.state)) throw new ProblemError(400, 'Setup not complete — create an admin user first');
      const email = String(input.values['email'] ?? '').trim().toLowerCase();
      const password = String(input.values['password'] ?? '');
      const user = [...context.state.users.values()].find((candidate) => candidate.email === email);
      if (!user || !user.isActive || !user.passwordHash || !verifyPassword(password, user.passwordHash)) {
        throw new ProblemError(401, 'Invalid email or password');
      }
      return jsonReply(200, { ok: true, role: user.role, email: user.email }, sessionCookieHeader(context.state.createSessionToken(user)));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/logout',
    auth: 'public',
    handle: () =>
      jsonReply(200, { ok: true }, { 'set-cookie': `${SESSION_COOKIE}=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=lax` }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/accept-invite',
    auth: 'public',
    jsonBody: true,
    parse: (context, errors) => validateBody(ACCEPT_INVITE_BODY, context.body, errors),
    handle: (context, input: { values: Record<string, PyValue> }) => {
      const password = String(input.values['password'] ?? '');
      const problem = passwordProblem(password);
      if (problem) throw new ProblemError(400, problem);
      const tokenHash = hashInviteToken(String(input.values['token'] ?? ''));
      const user = [...context.state.users.values()].find((candidate) => candidate.inviteTokenHash === tokenHash);
      if (!user) throw new ProblemError(400, 'Invalid or expired invite token');
      user.passwordHash = hashPassword(password);
      user.inviteTokenHash = null;
      return jsonReply(200, { ok: true, role: user.role, email: user.email }, sessionCookieHeader(context.state.createSessionToken(user)));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/auth/users',
    auth: 'required',
    minRole: 'admin',
    handle: (context) =>
      jsonReply(
        200,
        [...context.state.users.values()].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id).map(userListItem),
      ),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/users',
    auth: 'required',
    minRole: 'admin',
    jsonBody: true,
    parse: (context, errors) => validateBody(CREATE_USER_BODY, context.body, errors),
    handle: (context, input: { values: Record<string, PyValue> }) => {
      const role = requireValidRole(String(input.values['role']), true);
      const rawEmail = String(input.values['email']);
      if (!rawEmail.trim()) throw new ProblemError(400, 'Email is required');
      if (!EMAIL_PATTERN.test(rawEmail.trim())) throw new ProblemError(400, 'Invalid email format');
      const email = rawEmail.trim().toLowerCase();
      if ([...context.state.users.values()].some((user) => user.email === email)) {
        throw new ProblemError(409, `A user with email '${rawEmail.trim()}' already exists`);
      }
      const inviteToken = randomBytes(32).toString('base64url');
      const user = context.state.insertUser(email, role, null, hashInviteToken(inviteToken));
      return jsonReply(201, {
        id: user.id,
        email: user.email,
        role: user.role,
        created_at: freshTimestamp(user.createdAt),
        invite_token: inviteToken,
      });
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/auth/users/{user_id}',
    auth: 'required',
    minRole: 'admin',
    parse: (context, errors) => intPathParam(context, errors, 'user_id'),
    handle: (context, userId: number) => {
      const state = context.state;
      if (sessionUserId(context) === userId) throw new ProblemError(400, 'Cannot delete your own account');
      const target = state.users.get(userId);
      const activeAdmins = [...state.users.values()].filter((user) => user.role === 'admin' && user.isActive);
      if (target?.role === 'admin' && activeAdmins.length <= 1) throw new ProblemError(400, 'Cannot delete the last admin user');
      if (!target) throw new ProblemError(404, 'User not found');
      state.users.delete(userId);
      state.groupMembers.splice(0, state.groupMembers.length, ...state.groupMembers.filter((member) => member.userId !== userId));
      state.gatewayRoles = state.gatewayRoles.filter((row) => !(row.subject === 'user' && row.subjectId === userId));
      return jsonReply(200, { ok: true });
    },
  }),
  ...principalGatewayRoleRoutes('user'),
  defineRoute({
    method: 'GET',
    path: '/api/auth/service-principals',
    auth: 'required',
    minRole: 'admin',
    handle: (context) =>
      jsonReply(
        200,
        [...context.state.servicePrincipals.values()].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id).map(servicePrincipalItem),
      ),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/service-principals',
    auth: 'required',
    minRole: 'admin',
    jsonBody: true,
    parse: (context, errors) => validateBody(CREATE_SP_BODY, context.body, errors),
    handle: (context, input: { values: Record<string, PyValue> }) => {
      const role = requireValidRole(String(input.values['role']), true);
      const name = String(input.values['name']).trim();
      if (!name) throw new ProblemError(400, 'Name is required');
      if ([...context.state.servicePrincipals.values()].some((sp) => sp.name === name)) {
        throw new ProblemError(409, `A service principal named '${name}' already exists`);
      }
      const expiresInput = input.values['expires_at'] ?? null;
      const expires = expiresInput === null ? null : toValidatedDatetime(expiresInput);
      const storedExpiry = expires ? sqliteStoredDatetime(expires) : null;
      const { key, record } = context.state.insertServicePrincipal(name, role, storedExpiry, null);
      return jsonReply(201, {
        id: record.id,
        name: record.name,
        role: record.role,
        key_prefix: record.keyPrefix,
        created_at: freshTimestamp(record.createdAt),
        created_by: null,
        last_used: null,
        expires_at: expiresInput === null ? null : inputIsoFormat(expiresInput),
        key,
      });
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/auth/service-principals/{sp_id}',
    auth: 'required',
    minRole: 'admin',
    parse: (context, errors) => intPathParam(context, errors, 'sp_id'),
    handle: (context, spId: number) => {
      if (!context.state.servicePrincipals.delete(spId)) throw new ProblemError(404, 'Service principal not found');
      context.state.gatewayRoles = context.state.gatewayRoles.filter((row) => !(row.subject === 'sp' && row.subjectId === spId));
      return jsonReply(200, { ok: true });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/auth/service-principals/{sp_id}/rotate',
    auth: 'required',
    minRole: 'admin',
    parse: (context, errors) => intPathParam(context, errors, 'sp_id'),
    handle: (context, spId: number) => {
      const record = context.state.servicePrincipals.get(spId);
      if (!record) throw new ProblemError(404, 'Service principal not found');
      const key = context.state.rotateServicePrincipalKey(record);
      return jsonReply(200, {
        id: record.id,
        name: record.name,
        role: record.role,
        key_prefix: record.keyPrefix,
        created_at: SP_ROTATE_CREATED_AT,
        created_by: null,
        last_used: null,
        expires_at: record.expiresAt === null ? null : storedTimestamp(record.expiresAt),
        key,
      });
    },
  }),
  ...principalGatewayRoleRoutes('sp'),
];
