/**
 * Every deliberate oddity of ShoreGuard 0.40.0 that the emulator reproduces, in one place.
 * Section numbers (§) and trap numbers refer to /work/shared/reference/shoreguard-api.md.
 * Handlers import these names instead of hard-coding the behaviour, so a reviewer can audit the
 * emulator's fidelity by reading this file alone.
 *
 * Ported algorithms (`policy/diff.ts`, `policy/merge.ts`, `policy/yaml-render.ts`,
 * `policy/yaml-parse.ts`, `policy/model.ts`) reproduce ShoreGuard's Python line by line; their
 * oddities are listed at the end of this file rather than re-encoded here.
 */
import { pyRepr, pyTitle, type EpochMicros, pyIsoFormat, type ParsedIsoDatetime } from './core/python';

// ─── Error bodies (§1.2, §1.3) ──────────────────────────────────────────────────

/**
 * §1.2: the problem `code` for an HTTPException comes from a small status map; every other status,
 * including 423 (pin) and 501, falls back to `INTERNAL_ERROR` (trap 4).
 */
export function problemCodeForStatus(status: number): string {
  const fallback: Record<number, string> = {
    400: 'VALIDATION_ERROR',
    422: 'VALIDATION_ERROR',
    401: 'AUTHENTICATION_REQUIRED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'CONFLICT',
    429: 'RATE_LIMITED',
    500: 'INTERNAL_ERROR',
    503: 'SERVICE_UNAVAILABLE',
    504: 'TIMEOUT',
  };
  return fallback[status] ?? 'INTERNAL_ERROR';
}

/** §1.2: `title` is `code.replace("_", " ").title()`, not the HTTP reason phrase (423 → "Internal Error"). */
export function problemTitle(code: string): string {
  return pyTitle(code.replace(/_/g, ' '));
}

/** §1.2: problem details key order is type, title, status, detail, code, request_id, extensions. */
export const PROBLEM_TYPE = 'about:blank';

/** §2.2: a 401 always carries `WWW-Authenticate: Bearer`. */
export const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Bearer' } as const;
export const UNAUTHORIZED_DETAIL = 'Invalid or missing credentials';

/** §1.3: Starlette's own 404/405 bodies are plain JSON without `code`. */
export const ROUTE_NOT_FOUND_BODY = { detail: 'Not Found' } as const;
export const METHOD_NOT_ALLOWED_BODY = { detail: 'Method Not Allowed' } as const;

/** §1.2: any unhandled exception (including a bad pin `expires_at`, trap 12) is this 500. */
export const UNHANDLED_ERROR_DETAIL = 'Internal server error';

/**
 * Findings D12: that 500 is produced outside the request-id middleware, so its body carries
 * `request_id` but the response has no `X-Request-ID` header.
 */
export const UNHANDLED_ERROR_HAS_REQUEST_ID_HEADER = false;

/** §1.3/§1.5: Content-Length checks run before everything else and answer plain JSON. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
export const INVALID_CONTENT_LENGTH_BODY = { detail: 'Invalid Content-Length header' } as const;
export function bodyTooLargeBody(limit: number): { detail: string } {
  return { detail: `Request body too large (limit ${limit} bytes)` };
}

/**
 * §1.2: a body that is not JSON is a 422 `json_invalid` raised while FastAPI reads the body, before
 * any dependency (so before the gateway-name check and before auth, §1.1 step 0).
 */
export function jsonInvalidError(position: number): { type: string; loc: Array<string | number>; msg: string; input: object } {
  return { type: 'json_invalid', loc: ['body', position], msg: 'JSON decode error', input: {} };
}

// ─── Request pipeline (§1.1) ─────────────────────────────────────────────────────

/**
 * §1.1: the order in which a request is checked. The gateway-name regex runs before auth (so an
 * unauthenticated bad name is 400, not 401), and `get_client` (503) runs before body validation
 * (422) and before the handler's pin check (423).
 */
export const REQUEST_PIPELINE = [
  'read-json-body',
  'gateway-name',
  'authenticate',
  'require-role',
  'gateway-client',
  'validate-input',
  'handler',
] as const;

/** §1.1 / §4.1: the gateway name pattern. Python's `$` also accepts one trailing `\n`. */
export function isValidGatewayName(name: string): boolean {
  const candidate = name.endsWith('\n') ? name.slice(0, -1) : name;
  return /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$/.test(candidate);
}

/** §1.1: `resolve_gateway` on `/api/gateways/{gw}` and the register handler use this detail. */
export const INVALID_GATEWAY_NAME = 'Invalid gateway name: must match [a-zA-Z0-9][a-zA-Z0-9._-]*';
/** §4: `/api/gateway/{name}/…` handlers check the name after auth, with " (max 253)" appended. */
export const INVALID_GATEWAY_NAME_PATH_PARAM = 'Invalid gateway name: must match [a-zA-Z0-9][a-zA-Z0-9._-]* (max 253)';
/** §2.5/§3: user and SP gateway-role routes use a shorter detail. */
export const INVALID_GATEWAY_NAME_ROLE_ROUTES = 'Invalid gateway name';

/** §1.1 step 4: `get_client` fails for unregistered or disconnected gateways. */
export function gatewayNotConnectedDetail(gateway: string): string {
  return `Gateway '${gateway}' not connected.`;
}

/** §1.2: a gRPC NOT_FOUND from the gateway (unknown sandbox) is a 404 with this detail. */
export const GRPC_NOT_FOUND_DETAIL = 'gRPC error: NOT_FOUND';

// ─── Rate limits (§1.4) ──────────────────────────────────────────────────────────

/** §1.4: the global per-IP limiter skips probes and answers plain JSON (no request id yet). */
export const GLOBAL_RATE_LIMIT_EXEMPT_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/version']);
export const GLOBAL_RATE_LIMIT_BODY = { detail: 'Too many requests' } as const;
/** §1.4: the write limiter (policy apply, dry runs included) is a problem+json RATE_LIMITED. */
export const WRITE_RATE_LIMIT_DETAIL = 'Too many requests. Try again later.';

/** §1.4: `Retry-After = int(oldest_hit + lockout − now) + 1`, at least 1. */
export function retryAfterSeconds(oldestHitSeconds: number, lockoutSeconds: number, nowSeconds: number): number {
  return Math.max(Math.trunc(oldestHitSeconds + lockoutSeconds - nowSeconds) + 1, 1);
}

// ─── Timestamps (§1.7) ───────────────────────────────────────────────────────────

/**
 * §1.7: a value the handler formats from its own `datetime.now(UTC)` carries `+00:00`
 * (user/SP/group creation); a value read back from SQLite has no offset (registered_at, pins,
 * workflows, hooks, decisions, lists).
 */
export function freshTimestamp(micros: EpochMicros): string {
  return pyIsoFormat(micros, true);
}
export function storedTimestamp(micros: EpochMicros): string {
  return pyIsoFormat(micros, false);
}

/**
 * §7: SQLite stores an aware datetime's wall clock and drops the offset without converting it,
 * so `expires_at: "…T10:00:00+02:00"` is read back (and compared) as 10:00 UTC.
 */
export function sqliteStoredDatetime(parsed: Pick<ParsedIsoDatetime, 'wallClockMicros'>): EpochMicros {
  return parsed.wallClockMicros;
}

// ─── Gateways (§4) ───────────────────────────────────────────────────────────────

/** §4.2: `GatewayResponse` field order; register, PATCH and info send all 18 keys. */
export const GATEWAY_RESPONSE_KEYS = [
  'name',
  'endpoint',
  'scheme',
  'auth_mode',
  'has_ca_cert',
  'has_client_cert',
  'has_client_key',
  'metadata',
  'status',
  'last_status',
  'connected',
  'description',
  'labels',
  'registered_at',
  'last_seen',
  'configured',
  'version',
  'runtime',
] as const;

/** §4.2: list items skip the response model: 16 keys in the registry's order, no configured/version. */
export const GATEWAY_LIST_ITEM_KEYS = [
  'name',
  'endpoint',
  'scheme',
  'auth_mode',
  'has_ca_cert',
  'has_client_cert',
  'has_client_key',
  'metadata',
  'description',
  'labels',
  'registered_at',
  'last_seen',
  'last_status',
  'runtime',
  'connected',
  'status',
] as const;

/**
 * §4.2 `_derive_status`: "connected" when connected; otherwise "unreachable" only if the last
 * health probe saw it healthy/degraded, else "offline". So a seeded gateway that loses its
 * connection reads "unreachable", while one registered unreachable reads "offline" once the
 * health monitor has probed it (it records last_status "unreachable").
 */
export function gatewayStatus(connected: boolean, lastStatus: string): 'connected' | 'unreachable' | 'offline' {
  if (connected) return 'connected';
  return lastStatus === 'healthy' || lastStatus === 'degraded' ? 'unreachable' : 'offline';
}

/** §4.1: the register response says "connected" or "unreachable", from its own connect attempt. */
export function registerStatus(connected: boolean): 'connected' | 'unreachable' {
  return connected ? 'connected' : 'unreachable';
}

/**
 * §4.1 + findings D13: registration's own health call does not touch the registry row. A gateway
 * registered over REST reads `last_status: "unknown"`, `last_seen: null` (register, list, info,
 * PATCH) until ShoreGuard's health monitor probes it (every `SHOREGUARD_BG_HEALTH_INTERVAL` s,
 * default 30). The emulator has no health monitor, so it stays in that state (an intended
 * difference, test/conformance/intended-differences.ts).
 */
export const NEVER_PROBED = { lastStatus: 'unknown', lastSeen: null } as const;

/**
 * Findings D3: the register response formats `registered_at` from its own `datetime.now(UTC)`, so
 * it carries `+00:00`; every later read of the row (list, info, PATCH) has no offset.
 */
export function registerResponseTimestamp(registeredAt: EpochMicros): string {
  return freshTimestamp(registeredAt);
}

/** §4.2: `last_status` the health monitor records for a probe. */
export function gatewayLastStatus(connected: boolean): 'healthy' | 'unreachable' {
  return connected ? 'healthy' : 'unreachable';
}

/**
 * §4.2: PATCH returns the registry dict, which has no connection fields, so the response model
 * fills `connected` and `status` (like `configured` and `version`) with null.
 */
export const PATCHED_GATEWAY_CONNECTION_FIELDS = { connected: null, status: null } as const;

// Trap 2: `/api/gateway/{name}/info` for an unknown name fails response validation, an unhandled
// 500 (routes throw `UnhandledServerError`: no X-Request-ID header, findings D12).


/** Trap 3: DELETE answers 200 with this body, not 204. */
export function gatewayDeletedBody(name: string): { success: true; name: string } {
  return { success: true, name };
}

/** §1.3: `/api/gateways/{gw}/health` on a disconnected gateway is a plain-JSON 503. */
export function gatewayHealthDisconnectedBody(gateway: string): { status: string; detail: string } {
  return { status: 'disconnected', detail: `Gateway '${gateway}' not connected` };
}

/** §4.1: metadata.runtime must be one of these (lower-cased); the `?runtime=` filter too. */
export const GATEWAY_RUNTIMES = ['docker', 'kubernetes', 'libkrun'] as const;

// ─── Auth (§2, §3, §5) ───────────────────────────────────────────────────────────

/** §8: creating a boot hook answers 200, not 201. */
export const HOOK_CREATE_STATUS = 200;

/** Trap 14: rotate answers `created_at: null` although the SP has one. */
export const SP_ROTATE_CREATED_AT = null;

/** Trap 13: `PUT /groups/{id}` passes `description` through, so omitting it clears it. */
export function groupDescriptionAfterPut(body: { description?: string | null }): string | null {
  return body.description ?? null;
}

/** Trap 14: group GET and PUT answer `member_count: null`; only list and create count. */
export const GROUP_DETAIL_MEMBER_COUNT = null;

/** §3: invalid roles are reported with Python reprs, e.g. "Invalid role: 'x' (must be one of (…))". */
export function invalidRoleDetail(role: string, withChoices: boolean): string {
  const base = `Invalid role: ${pyRepr(role)}`;
  return withChoices ? `${base} (must be one of ('admin', 'operator', 'viewer'))` : base;
}

// ─── Approval workflows (§6) ─────────────────────────────────────────────────────

/** Trap 11: GET approval-workflow needs operator (not viewer) and answers `{}` when none exists. */
export const WORKFLOW_READ_ROLE = 'operator';
export const NO_WORKFLOW_BODY = {} as const;

/** §6.1: decisions for a sandbox without a workflow. */
export const NO_WORKFLOW_DECISIONS_BODY = { status: 'no_workflow', votes: 0, needed: 0, decisions: [] } as const;

/** §6.4: the 403 when the voter's effective role is not allowed (Python list repr). */
export function roleNotPermittedDetail(role: string, requiredRoles: string[]): string {
  return `Role '${role}' not permitted (required: ${pyRepr(requiredRoles)})`;
}

/**
 * A 202 vote body lists the chunk's decisions; the one just recorded keeps its tz-aware
 * `created_at` (`+00:00`), the ones read back from SQLite have none (extends D3).
 */
export const FRESH_DECISION_KEEPS_OFFSET = true;

/** §6.4 / §10.5 step 12: a second vote by the same actor under distinct_actors. */
export function alreadyVotedDetail(actor: string, chunkId: string): string {
  return `Actor '${actor}' has already voted on chunk ${chunkId}`;
}

// ─── Pins (§7) ───────────────────────────────────────────────────────────────────

/** §7 / trap 4: a pinned sandbox blocks writes (dry-run apply included) with 423 INTERNAL_ERROR. */
export const PIN_LOCKED_STATUS = 423;
export function pinLockedDetail(pinnedVersion: number, pinnedBy: string): string {
  return `Policy is pinned at version ${pinnedVersion} by ${pinnedBy}. Unpin first.`;
}

/** §7: GET/DELETE of a missing (or lazily expired) pin. */
export const NO_ACTIVE_PIN_DETAIL = 'No active pin for this sandbox';

/** §7 / trap 12: POST pin is an upsert answering 200; DELETE answers 204. */
export const PIN_UPSERT_STATUS = 200;

/**
 * Findings D14: `POST …/hooks/reorder` answers with the rows it just updated, formatted before
 * they are read back, so their `updated_at` carries `+00:00` (their `created_at` does not).
 */
export function reorderedHookUpdatedAt(updatedAt: EpochMicros): string {
  return freshTimestamp(updatedAt);
}

/**
 * §7: DELETE removes the row without checking expiry, so an expired pin that nobody has read
 * yet still answers 204 (GET would have answered 404 and deleted it).
 */
export function deletePinIgnoringExpiry<Key>(pins: Map<Key, unknown>, key: Key): boolean {
  return pins.delete(key);
}


// ─── GitOps (§10) ────────────────────────────────────────────────────────────────

/** §10.3: the banner line that starts every export. */
export const EXPORT_BANNER = '# managed-by: shoreguard-gitops\n';

/**
 * §10.5: the order of checks in `POST …/policy/apply`. The pin check runs for dry runs too, the
 * lock check before the diff, and workflow votes are consumed before merge mode is checked
 * (trap 10), so a merge_unsupported 400 still uses up the quorum.
 */
export const APPLY_PIPELINE = [
  'write-rate-limit',
  'pin-check',
  'parse-yaml',
  'read-snapshot',
  'optimistic-lock',
  'diff',
  'dry-run',
  'up-to-date',
  'workflow-gate',
  'merge-operations',
  'write',
] as const;

/** §10.6: the 409 is plain JSON with a string `status`. */
export function versionMismatchBody(currentHash: string, expected: unknown): Record<string, unknown> {
  return { status: 'version_mismatch', current_hash: currentHash, expected_version: expected };
}

/** §10.6 / trap 14: 200 apply bodies always carry the three optional keys, null when unused. */
export function applyResultBody(
  status: 'dry_run' | 'up_to_date' | 'applied',
  currentHash: string,
  diff: unknown,
  appliedVersion: string | null = null,
): Record<string, unknown> {
  return { status, current_hash: currentHash, diff, applied_version: appliedVersion, votes_needed: null, votes_cast: null };
}

/** §10.6: the 202 is plain JSON with exactly these keys (no applied_version). */
export function voteRecordedBody(
  currentHash: string,
  diff: unknown,
  votesNeeded: number,
  votesCast: number,
  chunkId: string,
): Record<string, unknown> {
  return { status: 'vote_recorded', current_hash: currentHash, diff, votes_needed: votesNeeded, votes_cast: votesCast, chunk_id: chunkId };
}

/**
 * §10.8 / trap 5: the handler raises HTTPException with a dict detail, which the error handler
 * flattens with `str(dict)`, so the wire carries a Python repr string.
 */
export function mergeUnsupportedDetail(reason: string): string {
  return pyRepr({
    status: 'merge_unsupported',
    reason,
    hint: "retry with mode='replace' for changes outside network_policies",
  });
}

// ─── Probes ──────────────────────────────────────────────────────────────────────

/** `/version` also reports build identity, "unknown" outside CI. */
export function versionBody(version: string): { version: string; git_sha: string; build_time: string } {
  return { version, git_sha: 'unknown', build_time: 'unknown' };
}

/*
 * Ported algorithms and their oddities (implemented in policy/*, listed here for review):
 * - §10.6 diff: only filesystem, process and network_policies are compared; landlock, version
 *   and unknown keys are ignored, so a landlock-only change is `up_to_date` and never written.
 *   Paths compare as sets; rules by plain deep equality (list order and default keys count).
 * - §10.6 diff keys: filesystem/process keys appear only when changed; network_policies always
 *   has added/removed/changed, each sorted.
 * - §10.7 vote id: sha256 of the `yaml` string exactly as sent; no normalisation at all.
 * - §10.3 export: PyYAML safe_dump bytes (sorted keys, `{}`/`[]`, indentless sequences, YAML 1.1
 *   lookalike strings single-quoted, exported_at quoted with +00:00).
 * - §10.5 parse: YAML 1.1 via PyYAML rules; `metadata: null` counts as `{}`.
 * - §10.9 writes: `_dict_to_policy` drops unknown keys, `*.tld` hosts and wrong types are 500s.
 * - §10.8 merge: an empty operation list (rules only reordered) still sends UpdateConfig; the
 *   emulated gateway keeps the revision because the content hash did not change.
 */

// ─── Draft-policy approvals (ShoreGuard 0.40.0 api/routes/approvals.py) ─────────────────────

/**
 * Gateway errors reach the client as `friendly_grpc_error`: only the status name, never the
 * gateway's message ("chunk not found", "chunk status is 'approved', …"). FAILED_PRECONDITION and
 * ABORTED map to 409 CONFLICT, INVALID_ARGUMENT to 400 VALIDATION_ERROR.
 */
export const GRPC_FAILED_PRECONDITION_DETAIL = 'gRPC error: FAILED_PRECONDITION';
export const GRPC_INVALID_ARGUMENT_DETAIL = 'gRPC error: INVALID_ARGUMENT';

/** approve-all under an active workflow by anyone but an admin. */
export const BULK_APPROVE_REFUSED_DETAIL =
  'Bulk approve-all is disabled under an active approval workflow; admin role required to override.';

/**
 * Only approve and approve-all check pins (423). reject, edit, undo and clear do not: undo and
 * reject-after-approve change the live policy of a pinned sandbox.
 */
export const PIN_CHECKED_ACTIONS: ReadonlySet<string> = new Set(['approve', 'approve-all']);

/**
 * `ApprovalClearResponse` declares `cleared: int | None` with extra keys allowed, but the client
 * returns `{"chunks_cleared": N}`: the body carries both, `cleared` always null.
 */
export function clearResponseBody(chunksCleared: number): { cleared: null; chunks_cleared: number } {
  return { cleared: null, chunks_cleared: chunksCleared };
}

/** `stage` is not stored by the gateway (the agent's "agent" is dropped): always "". */
export const CHUNK_STAGE = '';

/** The emulator's audit log records only the approval actions (the real one records every write). */
export type AuditedAction = (typeof AUDITED_ACTIONS)[number];
export const AUDITED_ACTIONS = [
  'approval.vote_cast',
  'approval.approve',
  'approval.reject',
  'approval.approve_all',
  'approval.edit',
  'approval.undo',
  'approval.clear',
] as const;

/*
 * Draft-approval behaviour that follows from the handler order rather than from a value here
 * (emulator/routes/approvals.ts, emulator/drafts.ts):
 * - Votes are recorded before the gateway is asked: under a workflow an approve of an unknown or
 *   already-decided chunk id is a 202 vote (nothing checks the id) until the quorum vote, which then
 *   gets the gateway's 404 / 409 — after the decisions were already cleared.
 * - `_chunk_to_dict` never passes `rejection_reason` or `validation_result` on: REST cannot show
 *   why a chunk was rejected (the gateway keeps the reason for the agent).
 * - `GET …/policy` lists `network_policies` in the order Python's upb iterates the gateway's
 *   protobuf map (not insertion order); the emulator keeps insertion order. Exports sort keys.
 * - Approving merges OpenShell-style (`add_rule`): into the rule of that name, else folded into the
 *   first rule by key sharing an endpoint; merged endpoints gain `ports: [port]`, so approving a
 *   rule that Git already made live writes one more revision unless Git has that `ports` list.
 */
