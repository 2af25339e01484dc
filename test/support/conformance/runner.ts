// Runs one conformance case against one target and collects its observations. A case is data
// (id, title, what it needs) plus a function of a CaseContext; it never branches on which target it
// runs against, so both servers see the same requests in the same order.
import { Aliases, observeReply, type Observation, type Reply } from './observe';
import type { ProposalSubmission } from '../../../emulator';
import { send, type ConformancePolicy, type ConformanceTarget, type Credentials, type Principal, type SendOptions } from './targets';

export interface StepOptions extends SendOptions {
  /** Narrows the parsed body before it is normalised (e.g. a list down to this case's items). */
  select?: (body: unknown) => unknown;
}

export interface CaseContext {
  /** The registered, connected gateway holding the seeded sandboxes. */
  readonly gateway: string;
  /** A name unique to this case and run, identical on every target (groups, gateways, users…). */
  name(suffix: string): string;
  /** A sandbox on the gateway with `policy` live (or no revision at all); returns its name. */
  seedSandbox(logicalName: string, policy?: ConformancePolicy): Promise<string>;
  editPolicyOutOfBand(sandbox: string, policy: ConformancePolicy): Promise<void>;
  /**
   * Submits one proposal on the gateway as an agent does and returns the accepted chunk id, aliased
   * as `<chunk:label>` in every later observation (chunk ids are per-server UUIDs).
   */
  submitProposal(sandbox: string, label: string, submission: ProposalSubmission): Promise<string>;
  /** Sends a request and records its normalised observation under `label`. */
  step(label: string, credentials: Credentials, method: string, path: string, options?: StepOptions): Promise<Reply>;
  /** Sends a request without recording it (set-up the case does not compare). */
  send(credentials: Credentials, method: string, path: string, options?: SendOptions): Promise<Reply>;
  /** Records a derived fact (compared like a step). */
  fact(label: string, value: unknown): void;
  /** Replaces a target-specific value (e.g. a created key's prefix) by a placeholder in later observations. */
  alias(value: string, placeholder: string): void;
  key(principal: Principal): string;
  /** An endpoint to register gateway `name` with: a live gateway, or one that never answers. */
  endpoint(name: string, reachable: boolean): string;
}

export interface CaseRequirements {
  /** A sandbox without any policy revision (not possible on a SHOREGUARD_URL server). */
  bareSandbox?: boolean;
  /** Proposals submitted on the gateway (not possible on a SHOREGUARD_URL server). */
  proposals?: boolean;
  /** Gateway names the case registers itself (fine locally; on a SHOREGUARD_URL server they dial the conformance gateway's endpoint). */
  registersGateways?: boolean;
}

export interface ConformanceCase {
  /** Stable id, `area/what`, used in the score file. */
  id: string;
  /** Behaviour, GIVEN … WHEN … THEN …. */
  title: string;
  requires?: CaseRequirements;
  run(context: CaseContext): Promise<void>;
}

export interface CaseRun {
  observations: Observation[];
  /** Revision numbers of the sandboxes seeded, in order (lets another target line up versions). */
  seededVersions: number[];
}

export interface RunCaseOptions {
  /** Prefix of every name this run creates; the same for all targets. */
  runPrefix: string;
  /** Position of the case in the suite (keeps names short and unique). */
  caseIndex: number;
  /** From the reference target's run: seed each sandbox at these revision numbers. */
  alignVersions?: readonly number[];
  /** Keys compared by type only on this run (the union of both targets' volatile keys). */
  volatileKeys?: readonly string[];
}

export async function runCase(testCase: ConformanceCase, target: ConformanceTarget, options: RunCaseOptions): Promise<CaseRun> {
  const aliases: Aliases = target.aliases.clone();
  const observations: Observation[] = [];
  const seededVersions: number[] = [];
  const extraOpaqueKeys = new Set(options.volatileKeys ?? []);
  const base = `${options.runPrefix}-${String(options.caseIndex).padStart(2, '0')}`;
  const context: CaseContext = {
    gateway: target.gateway,
    name: (suffix) => `${base}-${suffix}`,
    async seedSandbox(logicalName, policy) {
      const seeded = await target.seedSandbox(`${base}-${logicalName}`, policy, options.alignVersions?.[seededVersions.length]);
      seededVersions.push(seeded.version);
      aliases.add(seeded.sandbox, `<sandbox:${logicalName}>`);
      return seeded.sandbox;
    },
    editPolicyOutOfBand: (sandbox, policy) => target.editPolicyOutOfBand(sandbox, policy),
    async submitProposal(sandbox, label, submission) {
      const result = await target.submitProposal(sandbox, submission);
      const id = result.acceptedChunkIds[0];
      if (result.acceptedChunks !== 1 || id === undefined) throw new Error(`proposal '${label}' was not accepted: ${JSON.stringify(result)}`);
      aliases.add(id, `<chunk:${label}>`);
      // The gateway lists chunks newest first by created_at_ms; a millisecond apart keeps the order fixed.
      await new Promise((resolve) => setTimeout(resolve, 3));
      return id;
    },
    async step(label, credentials, method, path, stepOptions = {}) {
      const reply = await send(target, credentials, method, path, stepOptions);
      observations.push(observeReply(label, reply, aliases, { select: stepOptions.select, extraOpaqueKeys }));
      return reply;
    },
    send: (credentials, method, path, sendOptions) => send(target, credentials, method, path, sendOptions),
    fact(label, value) {
      observations.push({ fact: label, value });
    },
    alias(value, placeholder) {
      aliases.add(value, placeholder);
    },
    key: (principal) => target.key(principal),
    endpoint: (name, reachable) => target.gatewayEndpoint(name, reachable),
  };
  await testCase.run(context);
  return { observations, seededVersions };
}
