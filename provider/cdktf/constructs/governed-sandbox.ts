/**
 * GovernedSandbox: everything that governs one sandbox, in one construct — a quorum approval
 * workflow (always), an optional change freeze, and boot hooks that run around sandbox creation.
 */
import { Construct } from 'constructs';
import { ApprovalWorkflow } from '../gen/approval-workflow';
import { SandboxBootHook } from '../gen/sandbox-boot-hook';
import { ChangeFreeze } from './change-freeze';
import { checkInteger, checkNonEmpty, ConstructPropsError, type QuorumProps, resolveQuorum, type ShoreGuardConstructOptions } from './common';

export type BootHookPhase = 'pre_create' | 'post_create';

/** One boot hook of a governed sandbox. */
export interface BootHookSpec {
  /** Hook name (1 to 128 characters), unique per sandbox and phase. */
  readonly name: string;
  /** Shell command to run (1 to 8192 characters). */
  readonly command: string;
  /**
   * When the hook runs.
   * @default "post_create"
   */
  readonly phase?: BootHookPhase;
  /**
   * Working directory.
   * @default "" (the sandbox's default)
   */
  readonly workdir?: string;
  /**
   * Environment variables for the command. Not a place for secrets: ShoreGuard returns them to
   * every reader of the hook.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Timeout in seconds (1 to 600).
   * @default 30
   */
  readonly timeoutSeconds?: number;
  /**
   * Position within the phase; lower runs first.
   * @default the hook's position among this sandbox's hooks of the same phase
   */
  readonly order?: number;
  /**
   * Whether the hook runs.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Whether sandbox creation goes on when the hook fails. Off by default so a broken setup step
   * is noticed.
   * @default false
   */
  readonly continueOnFailure?: boolean;
}

/** The change freeze of a governed sandbox. */
export interface SandboxFreezeProps {
  /** @default "Change freeze managed by CDKTF (<construct path>)" */
  readonly reason?: string;
  /** When the freeze lapses (see ChangeFreezeProps.expiresAt). Required unless `indefinite`. */
  readonly expiresAt?: Date | string;
  /** @default false */
  readonly indefinite?: boolean;
}

export interface GovernedSandboxProps extends ShoreGuardConstructOptions {
  /** Gateway name (a plain string or a reference such as `gateway.name`). */
  readonly gateway: string;
  /** The sandbox to govern. It lives on the gateway; ShoreGuard does not create it. */
  readonly sandboxName: string;
  /**
   * Who approves policy changes.
   * @default two approvals from admins or operators, one vote per actor, no escalation
   */
  readonly approvals?: QuorumProps;
  /**
   * Freeze the sandbox's policy now (a pin).
   * @default no freeze
   */
  readonly freeze?: SandboxFreezeProps;
  /**
   * Commands run before/after the sandbox is created, in list order within each phase.
   * @default []
   */
  readonly bootHooks?: readonly BootHookSpec[];
}

const DEFAULT_PHASE: BootHookPhase = 'post_create';
const DEFAULT_HOOK_TIMEOUT_SECONDS = 30;

export class GovernedSandbox extends Construct {
  readonly workflow: ApprovalWorkflow;
  /** The change freeze, when `freeze` was given. */
  readonly freeze: ChangeFreeze | undefined;
  /** Boot hooks in the order given. */
  readonly bootHooks: readonly SandboxBootHook[];

  constructor(scope: Construct, id: string, props: GovernedSandboxProps) {
    super(scope, id);
    checkNonEmpty(this, 'gateway', props.gateway);
    checkNonEmpty(this, 'sandboxName', props.sandboxName);
    const provider = props.provider ? { provider: props.provider } : {};
    const quorum = resolveQuorum(this, 'approvals', props.approvals);

    this.workflow = new ApprovalWorkflow(this, 'workflow', {
      gateway: props.gateway,
      sandboxName: props.sandboxName,
      requiredApprovals: quorum.requiredApprovals,
      requiredRoles: [...quorum.requiredRoles],
      distinctActors: quorum.distinctActors,
      ...(quorum.escalationTimeoutMinutes === undefined ? {} : { escalationTimeoutMinutes: quorum.escalationTimeoutMinutes }),
      ...provider,
    });

    this.freeze = props.freeze
      ? new ChangeFreeze(this, 'freeze', { gateway: props.gateway, sandboxName: props.sandboxName, ...props.freeze, ...provider })
      : undefined;

    const seen = new Set<string>();
    const positionInPhase = new Map<BootHookPhase, number>();
    this.bootHooks = (props.bootHooks ?? []).map((hook, index) => {
      const prop = `bootHooks[${index}]`;
      const phase = hook.phase ?? DEFAULT_PHASE;
      checkNonEmpty(this, `${prop}.name`, hook.name);
      checkNonEmpty(this, `${prop}.command`, hook.command);
      checkInteger(this, `${prop}.timeoutSeconds`, hook.timeoutSeconds, 1, 600);
      const key = `${phase}/${hook.name}`;
      if (seen.has(key)) throw new ConstructPropsError(this.node.path, `${prop}.name`, `repeats ${JSON.stringify(hook.name)} in phase ${phase}; hook names are unique per sandbox and phase.`);
      seen.add(key);
      const position = positionInPhase.get(phase) ?? 0;
      positionInPhase.set(phase, position + 1);
      return new SandboxBootHook(this, `hook-${phase}-${hook.name.replace(/[^A-Za-z0-9_-]/g, '_')}`, {
        gateway: props.gateway,
        sandboxName: props.sandboxName,
        name: hook.name,
        phase,
        command: hook.command,
        workdir: hook.workdir ?? '',
        env: { ...(hook.env ?? {}) },
        timeoutSeconds: hook.timeoutSeconds ?? DEFAULT_HOOK_TIMEOUT_SECONDS,
        order: hook.order ?? position,
        enabled: hook.enabled ?? true,
        continueOnFailure: hook.continueOnFailure ?? false,
        ...provider,
      });
    });
  }
}
