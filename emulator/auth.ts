/**
 * Authentication and the effective-role algorithm (§2.1, §2.3). Bearer values are looked up only
 * as service-principal keys; an unknown Bearer falls through to the `sg_session` cookie.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ROLE_RANK, type EmulatorState, type Role, type UserRecord } from './state';

export interface Principal {
  kind: 'user' | 'sp';
  id: number;
  /** `request.state.user_id`: the user's email or `sp:<name>`. */
  actor: string;
  /** Global role from the database. */
  role: Role;
}

/** ShoreGuard's session cookie (§2.1). */
export const SESSION_COOKIE = 'sg_session';

/** The `sg_session` cookie value, if the request carries one. */
export function sessionCookieValue(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index === -1) continue;
    if (part.slice(0, index).trim() === SESSION_COOKIE) return part.slice(index + 1).trim();
  }
  return undefined;
}

/** True once a user row exists; before that every protected endpoint answers 401 (trap 18). */
export function isSetupComplete(state: EmulatorState): boolean {
  return state.users.size > 0;
}

/** `check_request_auth`: the caller, or null when unauthenticated. */
export function authenticate(state: EmulatorState, headers: IncomingHttpHeaders): Principal | null {
  if (!isSetupComplete(state)) return null;
  const authorization = headers.authorization ?? '';
  if (authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    const sp = state.findServicePrincipalByKey(authorization.slice(7));
    const now = state.nowMicros();
    if (sp && (sp.expiresAt === null || sp.expiresAt > now)) {
      sp.lastUsed = now;
      return { kind: 'sp', id: sp.id, actor: `sp:${sp.name}`, role: sp.role };
    }
  }
  const cookie = sessionCookieValue(headers);
  if (cookie) {
    const userId = state.verifySessionToken(cookie);
    const user: UserRecord | undefined = userId === null ? undefined : state.users.get(userId);
    if (user && user.isActive) return { kind: 'user', id: user.id, actor: user.email, role: user.role };
  }
  return null;
}

function highest(roles: Role[]): Role | null {
  return roles.reduce<Role | null>((best, role) => (best === null || ROLE_RANK[role] > ROLE_RANK[best] ? role : best), null);
}

/** The override on one gateway: the user's own row, else the highest of their groups' rows; SP rows for SPs. */
function gatewayOverride(state: EmulatorState, principal: Principal, gatewayName: string): Role | null {
  const gateway = state.gateways.get(gatewayName);
  if (!gateway) return null;
  const rows = state.gatewayRoles.filter((row) => row.gatewayId === gateway.id);
  if (principal.kind === 'sp') return rows.find((row) => row.subject === 'sp' && row.subjectId === principal.id)?.role ?? null;
  const own = rows.find((row) => row.subject === 'user' && row.subjectId === principal.id);
  if (own) return own.role;
  const groupIds = new Set(userGroupIds(state, principal.id));
  return highest(rows.filter((row) => row.subject === 'group' && groupIds.has(row.subjectId)).map((row) => row.role));
}

function userGroupIds(state: EmulatorState, userId: number): number[] {
  return state.groupMembers.filter((member) => member.userId === userId).map((member) => member.groupId);
}

/**
 * §2.3: start from the global role; on `/api/gateways/{gw}/…` routes a gateway override replaces it
 * (and may lower it); for users the highest group global role then raises it if higher.
 */
export function effectiveRole(state: EmulatorState, principal: Principal, gatewayName: string | null): Role {
  let role = principal.role;
  if (gatewayName !== null) role = gatewayOverride(state, principal, gatewayName) ?? role;
  if (principal.kind === 'user') {
    const groupRoles = userGroupIds(state, principal.id)
      .map((groupId) => state.groups.get(groupId)?.role)
      .filter((groupRole): groupRole is Role => groupRole !== undefined);
    const groupGlobal = highest(groupRoles);
    if (groupGlobal !== null && ROLE_RANK[groupGlobal] > ROLE_RANK[role]) role = groupGlobal;
  }
  return role;
}

export function hasRole(role: Role, minimum: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}
