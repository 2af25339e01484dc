/** Wire-format bodies exactly as the contract describes them (snake_case, explicit nulls). */

export function wireGateway(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    endpoint: `${name}.example.com:8443`,
    scheme: 'https',
    auth_mode: 'mtls',
    has_ca_cert: true,
    has_client_cert: true,
    has_client_key: true,
    metadata: { runtime: 'docker' },
    description: null,
    labels: { env: 'prod' },
    registered_at: '2026-04-20T12:00:00.123456',
    last_seen: null,
    last_status: 'unknown',
    runtime: 'docker',
    connected: false,
    status: 'unreachable',
    configured: null,
    version: null,
    ...overrides,
  };
}

export function wirePin(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    gateway_name: 'gw',
    sandbox_name: 'sb',
    pinned_version: 5,
    pinned_by: 'alice@example.com',
    reason: 'release freeze',
    pinned_at: '2026-04-20T12:00:00+00:00',
    expires_at: null,
    ...overrides,
  };
}

export function wireWorkflow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    gateway_name: 'gw',
    sandbox_name: 'sb',
    required_approvals: 2,
    required_roles: ['admin', 'operator'],
    distinct_actors: true,
    escalation_timeout_minutes: null,
    created_by: 'sp:ci',
    created_at: '2026-04-20T12:00:00',
    updated_at: '2026-04-20T12:00:00',
    ...overrides,
  };
}

export function wireHook(id: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    gateway_name: 'gw',
    sandbox_name: 'sb',
    name: `hook-${id}`,
    phase: 'pre_create',
    command: 'echo hi',
    workdir: '',
    env: {},
    timeout_seconds: 30,
    order: id,
    enabled: true,
    continue_on_failure: false,
    created_by: 'sp:ci',
    created_at: '2026-04-20T12:00:00',
    updated_at: '2026-04-20T12:00:00',
    last_run_at: null,
    last_status: null,
    last_output: null,
    ...overrides,
  };
}

export const EMPTY_WIRE_DIFF = { filesystem: {}, process: {}, network_policies: { added: [], removed: [], changed: [] } };
