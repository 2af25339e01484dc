/**
 * ChangeFreeze: a policy pin that ends, optionally with a quorum workflow on the same sandbox.
 *
 * While the pin is active ShoreGuard refuses every policy change to the sandbox with HTTP 423 and
 * shows the reason. Good practice encoded here: a freeze has an end date (an indefinite one must
 * be asked for explicitly) and a reason people can act on.
 */
import { Construct } from 'constructs';
import { ApprovalWorkflow } from '../gen/approval-workflow';
import { PolicyPin } from '../gen/policy-pin';
import { checkNonEmpty, ConstructPropsError, expiryString, type QuorumProps, resolveQuorum, type ShoreGuardConstructOptions } from './common';

export interface ChangeFreezeProps extends ShoreGuardConstructOptions {
  /** Gateway name (a plain string or a reference such as `gateway.name`). */
  readonly gateway: string;
  /** Sandbox whose policy is frozen. */
  readonly sandboxName: string;
  /**
   * Why the policy is frozen; ShoreGuard shows it to everyone whose change it refuses.
   * @default "Change freeze managed by CDKTF (<construct path>)"
   */
  readonly reason?: string;
  /**
   * When the freeze lapses: a Date, or an ISO-8601 date-time string (e.g. `2030-01-31T18:00:00Z`).
   * Prefer a fixed value over "now + n days": a moving value changes every plan. Required unless
   * `indefinite` is true.
   * @default none (then `indefinite: true` is required)
   */
  readonly expiresAt?: Date | string;
  /**
   * Allows a freeze without an end date. Such freezes tend to be forgotten; set it deliberately.
   * @default false
   */
  readonly indefinite?: boolean;
  /**
   * Also put a quorum approval workflow on the sandbox, so changes after the freeze (or during an
   * emergency unpin) still need approvals.
   * @default no workflow
   */
  readonly quorum?: QuorumProps;
}

export class ChangeFreeze extends Construct {
  /** The policy pin. */
  readonly pin: PolicyPin;
  /** The approval workflow, when `quorum` was given. */
  readonly workflow: ApprovalWorkflow | undefined;

  constructor(scope: Construct, id: string, props: ChangeFreezeProps) {
    super(scope, id);
    checkNonEmpty(this, 'gateway', props.gateway);
    checkNonEmpty(this, 'sandboxName', props.sandboxName);
    checkNonEmpty(this, 'reason', props.reason);
    if (props.expiresAt !== undefined && props.indefinite) {
      throw new ConstructPropsError(this.node.path, 'expiresAt', 'and indefinite: true contradict each other; set one of them.');
    }
    if (props.expiresAt === undefined && !props.indefinite) {
      throw new ConstructPropsError(this.node.path, 'expiresAt', 'is required: every freeze should end. Set indefinite: true to freeze without an end date.');
    }
    const provider = props.provider ? { provider: props.provider } : {};

    this.pin = new PolicyPin(this, 'pin', {
      gateway: props.gateway,
      sandboxName: props.sandboxName,
      reason: props.reason ?? `Change freeze managed by CDKTF (${this.node.path})`,
      ...(props.expiresAt === undefined ? {} : { expiresAt: expiryString(this, 'expiresAt', props.expiresAt) }),
      ...provider,
    });

    if (props.quorum) {
      const quorum = resolveQuorum(this, 'quorum', props.quorum);
      this.workflow = new ApprovalWorkflow(this, 'workflow', {
        gateway: props.gateway,
        sandboxName: props.sandboxName,
        requiredApprovals: quorum.requiredApprovals,
        requiredRoles: [...quorum.requiredRoles],
        distinctActors: quorum.distinctActors,
        ...(quorum.escalationTimeoutMinutes === undefined ? {} : { escalationTimeoutMinutes: quorum.escalationTimeoutMinutes }),
        ...provider,
      });
    } else {
      this.workflow = undefined;
    }
  }
}
