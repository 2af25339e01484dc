// Proposals as an agent inside an OpenShell sandbox submits them: the sandbox's policy.local
// endpoint (`POST http://policy.local/v1/proposals` with an `addRule`, an intent summary and the
// binary) turns each into a PolicyChunk (confidence 0.75, hit_count 1, stage "agent") and sends
// `SubmitPolicyAnalysis(analysis_mode="agent_authored")` to the gateway; the denial aggregator
// sends its L4 drafts as `mechanistic` (confidence 0). The same submission reaches the fake
// OpenShell gateway over gRPC (what the real ShoreGuard then reads) and the emulator's ledger.
import type { Emulator, ProposalChunkSeed, ProposalSubmission, SubmissionResult } from '../../emulator';

/** Binaries that do not exist on the ShoreGuard host (real ShoreGuard resolves symlinked ones). */
export const AGENT_BINARY = '/opt/fake/bin/gh';

/** The narrow L7 proposal: `allow PUT /repos/o/r/contents/x.md` on api.github.com:443 for `gh`. */
export const L7_GITHUB_PROPOSAL = {
  ruleName: 'github_contents_x_md',
  rule: {
    name: 'github_contents_x_md',
    endpoints: [
      {
        host: 'api.github.com',
        port: 443,
        protocol: 'rest',
        enforcement: 'enforce',
        rules: [{ allow: { method: 'PUT', path: '/repos/o/r/contents/x.md' } }],
      },
    ],
    binaries: [{ path: AGENT_BINARY }],
  },
  rationale: 'Update docs/x.md in o/r through the GitHub contents API (blocked: PUT not allowed)',
  confidence: 0.75,
  hitCount: 1,
} satisfies ProposalChunkSeed;

/** A proposal the gateway flags: a database port on a private address (security_notes set). */
export const FLAGGED_DB_PROPOSAL = {
  ruleName: 'internal_postgres',
  rule: {
    name: 'internal_postgres',
    endpoints: [{ host: '10.0.0.5', port: 5432 }],
    binaries: [{ path: '/opt/fake/bin/psql' }],
  },
  rationale: 'Run the migration check against the staging database',
  confidence: 0.75,
  hitCount: 1,
} satisfies ProposalChunkSeed;

/** A broad L4 draft from denials (no protocol: every path and method of the host). */
export const BROAD_L4_PROPOSAL = {
  ruleName: 'allow_registry_npmjs_org_443',
  rule: {
    name: 'allow_registry_npmjs_org_443',
    endpoints: [{ host: 'registry.npmjs.org', port: 443 }],
    binaries: [{ path: '/opt/fake/bin/node' }],
  },
  rationale: 'Observed 3 denied connections to registry.npmjs.org:443',
  confidence: 0,
  hitCount: 3,
} satisfies ProposalChunkSeed;

/** An agent's submission of one chunk (what one policy.local proposal becomes). */
export function agentSubmission(chunk: ProposalChunkSeed): ProposalSubmission {
  return { analysisMode: 'agent_authored', chunks: [chunk] };
}

/** The denial aggregator's submission of one L4 draft. */
export function mechanisticSubmission(chunk: ProposalChunkSeed): ProposalSubmission {
  return { analysisMode: 'mechanistic', chunks: [chunk] };
}

/** Where proposals go: the fake OpenShell gateway (over gRPC) or the emulator. */
export interface ProposalSink {
  submit(sandbox: string, submission: ProposalSubmission): Promise<SubmissionResult>;
}

/** The emulator's ledger for `gateway` (in-process seeding API). */
export function emulatorProposalSink(emulator: Emulator, gateway: string): ProposalSink {
  return { submit: async (sandbox, submission) => emulator.state.submitProposal(gateway, sandbox, submission) };
}

/** An emulator running as a separate process: `POST /__emulator/sandboxes/{gw}/{sandbox}/proposals` (admin key). */
export function emulatorHttpProposalSink(url: string, adminKey: string, gateway: string): ProposalSink {
  return {
    async submit(sandbox, submission) {
      const response = await fetch(`${url}/__emulator/sandboxes/${encodeURIComponent(gateway)}/${encodeURIComponent(sandbox)}/proposals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(submission),
      });
      const body: unknown = await response.json();
      if (response.status !== 200) throw new Error(`emulator refused the proposal (${response.status}): ${JSON.stringify(body)}`);
      return body as SubmissionResult;
    },
  };
}

/**
 * Submits the three standard proposals one after another (a millisecond apart, so their order is
 * fixed: the gateway lists newest first) and returns their chunk ids.
 */
export async function submitStandardProposals(sink: ProposalSink, sandbox: string): Promise<{ l7: string; flagged: string; broad: string }> {
  const one = async (submission: ProposalSubmission): Promise<string> => {
    const result = await sink.submit(sandbox, submission);
    const id = result.acceptedChunkIds[0];
    if (result.acceptedChunks !== 1 || id === undefined) throw new Error(`proposal not accepted: ${JSON.stringify(result)}`);
    await new Promise((resolve) => setTimeout(resolve, 3));
    return id;
  };
  const broad = await one(mechanisticSubmission(BROAD_L4_PROPOSAL));
  const flagged = await one(agentSubmission(FLAGGED_DB_PROPOSAL));
  const l7 = await one(agentSubmission(L7_GITHUB_PROPOSAL));
  return { l7, flagged, broad };
}
