/**
 * The same governance as examples/terraform-hcl, written with CDKTF and the hand-written
 * constructs: a gateway, an SRE group with admin rights on it, and a governed sandbox (quorum
 * workflow, change freeze, boot hooks).
 *
 * In your own project: `npm install shoreguard-iac cdktf constructs` and import from
 * 'shoreguard-iac/cdktf' instead of the relative path used inside this repository.
 * `cdktf synth` (or `npx ts-node main.ts`) writes cdktf.out/stacks/shoreguard/cdk.tf.json; run
 * `tofu init && tofu apply` there (see provider/terraform/README.md for the offline install).
 */
import { App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { DataShoreguardUser, Gateway, GovernedSandbox, Group, GroupGatewayRole, GroupMembership, ShoreguardProvider } from '../../provider/cdktf';

export interface ShoreGuardStackProps {
  /** @default "edge" */
  readonly gatewayName?: string;
  /** @default "127.0.0.1:8443" */
  readonly gatewayEndpoint?: string;
  /** @default "agent-1" */
  readonly sandboxName?: string;
  /** An existing user to add to the SRE group. @default "admin@localhost" */
  readonly memberEmail?: string;
  /** End of the change freeze. @default "2099-01-01T00:00:00Z" */
  readonly freezeUntil?: string;
  /**
   * Where OpenTofu keeps the state. @default CDKTF's own choice: terraform.shoreguard.tfstate in the
   * directory `cdktf synth` ran from
   */
  readonly statePath?: string;
}

export class ShoreGuardStack extends TerraformStack {
  readonly gateway: Gateway;
  readonly sandbox: GovernedSandbox;

  constructor(scope: Construct, id: string, props: ShoreGuardStackProps = {}) {
    super(scope, id);
    if (props.statePath !== undefined) new LocalBackend(this, { path: props.statePath });

    // Endpoint and API key come from SHOREGUARD_URL / SHOREGUARD_TOKEN: no secret in the stack.
    new ShoreguardProvider(this, 'shoreguard', { requestTimeoutSeconds: 30, maxRetries: 4 });

    const sandboxName = new TerraformVariable(this, 'sandbox_name', {
      type: 'string',
      default: props.sandboxName ?? 'agent-1',
      description: 'The sandbox to govern (it lives on the gateway).',
    });

    this.gateway = new Gateway(this, 'edge', {
      name: props.gatewayName ?? 'edge',
      endpoint: props.gatewayEndpoint ?? '127.0.0.1:8443',
      scheme: 'https',
      authMode: 'mtls',
      description: 'Edge gateway, managed by CDKTF',
      metadata: { runtime: 'docker' },
      labels: { team: 'platform', env: 'dev' },
    });

    const sre = new Group(this, 'sre', { name: 'sre', role: 'viewer', description: 'Site reliability engineers' });
    new GroupGatewayRole(this, 'sre-on-edge', { groupId: sre.id, gateway: this.gateway.name, role: 'admin' });
    const member = new DataShoreguardUser(this, 'member', { email: props.memberEmail ?? 'admin@localhost' });
    new GroupMembership(this, 'member-in-sre', { groupId: sre.id, userId: member.id });

    this.sandbox = new GovernedSandbox(this, 'agent', {
      gateway: this.gateway.name,
      sandboxName: sandboxName.stringValue,
      approvals: { requiredApprovals: 2, requiredRoles: ['admin', 'operator'], escalationTimeoutMinutes: 60 },
      freeze: { reason: 'Release freeze: no policy changes until the release is out', expiresAt: props.freezeUntil ?? '2099-01-01T00:00:00Z' },
      bootHooks: [
        { name: 'warm-cache', command: 'pip download -d /cache -r /work/requirements.txt', workdir: '/work', env: { PIP_NO_INPUT: '1' }, timeoutSeconds: 120 },
        { name: 'check-egress', phase: 'pre_create', command: 'test -n "$HTTPS_PROXY"' },
      ],
    });

    new TerraformOutput(this, 'workflow_id', { value: this.sandbox.workflow.id });
    new TerraformOutput(this, 'gateway_status', { value: this.gateway.status });
  }
}

/** Synthesizes the example into `outdir`; returns the stack directory holding cdk.tf.json. */
export function synthesizeExample(outdir: string, props: ShoreGuardStackProps = {}): string {
  const app = new App({ outdir });
  const stackDir = `${outdir}/stacks/shoreguard`;
  // The state stays beside the synthesized stack, not in the caller's working directory.
  new ShoreGuardStack(app, 'shoreguard', { statePath: `${stackDir}/terraform.tfstate`, ...props });
  app.synth();
  return stackDir;
}

if (require.main === module) {
  const app = new App();
  new ShoreGuardStack(app, 'shoreguard');
  app.synth();
}
