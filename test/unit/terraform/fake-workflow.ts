/**
 * An in-memory `shoreguard_approval_workflow` handler that follows the ResourceHandler contract,
 * so the Terraform protocol rules can be tested without HTTP. Roles are stored sorted (as
 * ShoreGuard does); the server stamps created_by/created_at/updated_at.
 */
import type { AttributeProblem, Attributes, CheckResult, ResourceContext, ResourceDiff, ResourceHandler } from '../../../provider/resources/types';

type State = Attributes & { id: string };

const INPUTS = ['gateway', 'sandbox_name', 'required_approvals', 'required_roles', 'distinct_actors', 'escalation_timeout_minutes'] as const;

export interface FakeWorkflowStore {
  readonly objects: Map<string, State>;
  /** Count of calls per operation. */
  readonly calls: Record<string, number>;
  /** Makes the next create return this value for a computed attribute (server disagrees with the plan). */
  overrideOnCreate?: Partial<State>;
  /** Makes every call throw this error. */
  failWith?: Error;
}

const sortedRoles = (value: unknown): string[] => (Array.isArray(value) ? [...(value as string[])].sort() : []);

export function fakeWorkflowHandler(): { handler: ResourceHandler; store: FakeWorkflowStore } {
  const store: FakeWorkflowStore = { objects: new Map(), calls: {} };
  let clock = 0;
  const count = (op: string) => {
    store.calls[op] = (store.calls[op] ?? 0) + 1;
    if (store.failWith) throw store.failWith;
  };
  const stamp = () => `2030-01-01T00:00:0${clock++ % 10}`;

  const handler: ResourceHandler = {
    type: 'shoreguard_approval_workflow',
    replaceOn: ['gateway', 'sandbox_name'],
    deleteBeforeReplace: false,
    check(raw: Attributes): CheckResult<Attributes> {
      const problems: AttributeProblem[] = [];
      for (const name of ['gateway', 'sandbox_name']) {
        const value = raw[name];
        if (typeof value !== 'string' || value === '') problems.push({ attribute: name, message: 'is required' });
        else if (value.startsWith('-')) problems.push({ attribute: name, message: 'must not start with "-"' });
      }
      const approvals = raw['required_approvals'] ?? 2;
      if (typeof approvals !== 'number' || approvals < 1 || approvals > 20) problems.push({ attribute: 'required_approvals', message: 'must be 1 to 20' });
      if (problems.length > 0) return { ok: false, problems };
      return {
        ok: true,
        inputs: {
          gateway: raw['gateway'],
          sandbox_name: raw['sandbox_name'],
          required_approvals: approvals,
          required_roles: sortedRoles(raw['required_roles']),
          distinct_actors: raw['distinct_actors'] ?? true,
          escalation_timeout_minutes: raw['escalation_timeout_minutes'] ?? null,
        },
      };
    },
    diff(prior: State, inputs: Attributes): ResourceDiff {
      const changed = INPUTS.filter((name) => {
        const a = name === 'required_roles' ? sortedRoles(prior[name]) : (prior[name] ?? null);
        const b = name === 'required_roles' ? sortedRoles(inputs[name]) : (inputs[name] ?? null);
        return JSON.stringify(a) !== JSON.stringify(b);
      });
      return { changed, replaces: changed.filter((n) => n === 'gateway' || n === 'sandbox_name'), deleteBeforeReplace: false };
    },
    async create(_ctx: ResourceContext, inputs: Attributes): Promise<State> {
      count('create');
      const id = `${String(inputs['gateway'])}/${String(inputs['sandbox_name'])}`;
      const at = stamp();
      const state: State = { ...inputs, required_roles: sortedRoles(inputs['required_roles']), id, created_by: 'sp:test', created_at: at, updated_at: at, ...store.overrideOnCreate };
      store.objects.set(id, state);
      return state;
    },
    async read(_ctx: ResourceContext, id: string): Promise<State | null> {
      count('read');
      return store.objects.get(id) ?? null;
    },
    async update(_ctx: ResourceContext, id: string, prior: State, inputs: Attributes): Promise<State> {
      count('update');
      const state: State = { ...prior, ...inputs, required_roles: sortedRoles(inputs['required_roles']), id, updated_at: stamp() };
      store.objects.set(id, state);
      return state;
    },
    async delete(_ctx: ResourceContext, id: string): Promise<void> {
      count('delete');
      store.objects.delete(id);
    },
    async importState(_ctx: ResourceContext, importId: string): Promise<State | null> {
      count('import');
      return store.objects.get(importId) ?? null;
    },
  };
  return { handler, store };
}
