/**
 * Shared props and checks of the hand-written constructs. Checks run at construction time (the
 * earliest point a mistake can be reported, naming the construct and the prop); values that are
 * Terraform tokens (references to other resources) are only known at apply time and are passed
 * through unchecked.
 */
import { type TerraformProvider, Token } from 'cdktf';
import type { IConstruct } from 'constructs';

/** ShoreGuard's global roles. */
export type Role = 'admin' | 'operator' | 'viewer';

const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];

/** A construct prop that breaks a rule; says which construct, which prop and what is allowed. */
export class ConstructPropsError extends Error {
  override readonly name = 'ConstructPropsError';
  constructor(
    readonly constructPath: string,
    readonly prop: string,
    detail: string,
  ) {
    super(`${constructPath}: ${prop} ${detail}`);
  }
}

/** Who must approve policy changes to a sandbox (a ShoreGuard approval workflow). */
export interface QuorumProps {
  /**
   * Approve votes needed before a policy change is applied (1 to 20).
   * @default 2
   */
  readonly requiredApprovals?: number;
  /**
   * Roles allowed to vote. An empty list lets any role vote, which is rarely what you want.
   * @default ["admin", "operator"]
   */
  readonly requiredRoles?: readonly Role[];
  /**
   * One vote per actor and change, so one person cannot reach the quorum alone.
   * @default true
   */
  readonly distinctActors?: boolean;
  /**
   * Minutes after the first vote before ShoreGuard fires `approval.escalated` (1 to 10080).
   * @default no escalation
   */
  readonly escalationTimeoutMinutes?: number;
}

/** Options every construct here accepts. */
export interface ShoreGuardConstructOptions {
  /**
   * The ShoreGuard provider to use (for several ShoreGuard instances or aliases).
   * @default the stack's default `shoreguard` provider
   */
  readonly provider?: TerraformProvider;
}

export const QUORUM_DEFAULTS = { requiredApprovals: 2, requiredRoles: ['admin', 'operator'] as Role[], distinctActors: true } as const;

function isToken(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** An integer in [min, max], unless it is a token. */
export function checkInteger(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || isToken(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) throw new ConstructPropsError(scope.node.path, prop, `must be a whole number from ${min} to ${max} (got ${value}).`);
}

/** A non-empty string, unless it is a token. */
export function checkNonEmpty(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || isToken(value)) return;
  if (value.trim() === '') throw new ConstructPropsError(scope.node.path, prop, 'must not be empty.');
}

/** Role names from {@link ROLES}; duplicates rejected. */
export function checkRoles(scope: IConstruct, prop: string, roles: readonly string[] | undefined): void {
  if (roles === undefined || isToken(roles)) return;
  const bad = roles.filter((role) => !isToken(role) && !ROLES.includes(role as Role));
  if (bad.length > 0) throw new ConstructPropsError(scope.node.path, prop, `contains ${bad.map((r) => JSON.stringify(r)).join(', ')}; allowed: ${ROLES.join(', ')}.`);
  if (new Set(roles).size !== roles.length) throw new ConstructPropsError(scope.node.path, prop, 'lists a role twice.');
}

/**
 * An expiry as ShoreGuard takes it: a Date becomes an ISO-8601 UTC string; a string must be an
 * ISO-8601 date-time (a token passes through).
 */
export function expiryString(scope: IConstruct, prop: string, value: Date | string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ConstructPropsError(scope.node.path, prop, 'is an invalid Date.');
    return value.toISOString();
  }
  if (isToken(value)) return value;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ConstructPropsError(scope.node.path, prop, `must be an ISO-8601 date-time such as 2030-01-31T18:00:00Z (got ${JSON.stringify(value)}).`);
  }
  return value;
}

/** Quorum props with defaults applied and checked. */
export function resolveQuorum(scope: IConstruct, prop: string, quorum: QuorumProps = {}): Required<Omit<QuorumProps, 'escalationTimeoutMinutes'>> & Pick<QuorumProps, 'escalationTimeoutMinutes'> {
  checkInteger(scope, `${prop}.requiredApprovals`, quorum.requiredApprovals, 1, 20);
  checkInteger(scope, `${prop}.escalationTimeoutMinutes`, quorum.escalationTimeoutMinutes, 1, 10_080);
  checkRoles(scope, `${prop}.requiredRoles`, quorum.requiredRoles);
  return {
    requiredApprovals: quorum.requiredApprovals ?? QUORUM_DEFAULTS.requiredApprovals,
    requiredRoles: quorum.requiredRoles ?? QUORUM_DEFAULTS.requiredRoles,
    distinctActors: quorum.distinctActors ?? QUORUM_DEFAULTS.distinctActors,
    ...(quorum.escalationTimeoutMinutes === undefined ? {} : { escalationTimeoutMinutes: quorum.escalationTimeoutMinutes }),
  };
}
