/**
 * The one report object every command builds (Terraform/Argo CD lesson: output is data first).
 * Text, JSON, markdown and CI annotations are renderings of it, so they can never disagree.
 *
 * `formatVersion` follows Terraform's rule for machine-readable output: a minor bump only adds
 * fields (ignore unknown ones), a major bump may change or remove them.
 */
import type { DiffReport } from './diff-render';
import type { PolicyDiff } from '../document/diff';
import type { Problem } from '../core/problems';
import type { GateSummary } from './gates';
import { PACKAGE_VERSION } from '../../sdk/version';

export const REPORT_FORMAT_VERSION = '1.1';

export type GitopsCommand = 'export' | 'validate' | 'plan' | 'apply' | 'sync' | 'proposals' | 'pull' | 'verify-receipt';

/**
 * What happened to one target (or, for `validate`, one file).
 * - `exported` / `unchanged`: export wrote the file / the file already had these bytes;
 * - `absent`: `export --all` found a sandbox without a policy revision (nothing to write);
 * - `valid` / `invalid`: offline validation passed / failed (`invalid` also stops plan/apply);
 * - `in_sync` / `drift`: a dry run found no changes / changes;
 * - `up_to_date` / `applied` / `vote_recorded`: the outcomes of a real apply;
 * - `pinned` (423), `conflict` (409 version mismatch), `error` (anything else that failed);
 * - `skipped`: not sent because another file of the same apply failed validation;
 * - `no_proposals` / `proposal_pending` / `proposal_written`: `proposals` found nothing pending /
 *   pending proposals / and with `--write` changed the file to carry them;
 * - `pulled`: `pull` re-exported a target whose live policy moved away from the file's lock;
 * - `local_edits`: `pull` refused to overwrite a file with uncommitted changes (`git status`).
 */
export type TargetStatus =
  | 'exported'
  | 'unchanged'
  | 'absent'
  | 'valid'
  | 'invalid'
  | 'in_sync'
  | 'drift'
  | 'up_to_date'
  | 'applied'
  | 'vote_recorded'
  | 'pinned'
  | 'conflict'
  | 'skipped'
  | 'error'
  | 'no_proposals'
  | 'proposal_pending'
  | 'proposal_written'
  | 'pulled'
  | 'local_edits';

/** Statuses in the order summaries count them: clean first, errors last. */
export const STATUS_ORDER: readonly TargetStatus[] = [
  'exported',
  'unchanged',
  'absent',
  'valid',
  'in_sync',
  'up_to_date',
  'applied',
  'no_proposals',
  'drift',
  'proposal_pending',
  'proposal_written',
  'pulled',
  'vote_recorded',
  'pinned',
  'conflict',
  'invalid',
  'skipped',
  'local_edits',
  'error',
];

/** How a status counts for the exit code: many targets combine as error > changes > clean. */
export type ResultClass = 'clean' | 'changes' | 'error';

export const STATUS_CLASS: Readonly<Record<TargetStatus, ResultClass>> = {
  exported: 'clean',
  unchanged: 'clean',
  absent: 'clean',
  valid: 'clean',
  in_sync: 'clean',
  up_to_date: 'clean',
  applied: 'clean',
  drift: 'changes',
  vote_recorded: 'changes',
  invalid: 'error',
  pinned: 'error',
  conflict: 'error',
  skipped: 'error',
  error: 'error',
  no_proposals: 'clean',
  proposal_pending: 'changes',
  proposal_written: 'changes',
  pulled: 'changes',
  local_edits: 'error',
};

/**
 * `shoreguard`: ShoreGuard's own CLI (0 in sync/applied, 1 drift or vote recorded, 2 error).
 * `terraform`: `-detailed-exitcode` (0 clean, 1 error, 2 changes).
 */
export type ExitCodeStyle = 'shoreguard' | 'terraform';

const EXIT_CODES: Readonly<Record<ExitCodeStyle, Readonly<Record<ResultClass, number>>>> = {
  shoreguard: { clean: 0, changes: 1, error: 2 },
  terraform: { clean: 0, changes: 2, error: 1 },
};

export function exitCodeFor(result: ResultClass, style: ExitCodeStyle = 'shoreguard'): number {
  return EXIT_CODES[style][result];
}

const RANK: Readonly<Record<ResultClass, number>> = { clean: 0, changes: 1, error: 2 };

/** error > changes > clean (Terragrunt's rule for many units). */
export function combineResults(results: Iterable<ResultClass>): ResultClass {
  let worst: ResultClass = 'clean';
  for (const result of results) if (RANK[result] > RANK[worst]) worst = result;
  return worst;
}

/** The diff of one target: ShoreGuard's own object plus the per-section rendering as data. */
export interface TargetDiff extends DiffReport {
  /** The `diff` object exactly as ShoreGuard computes it (§10.6). */
  readonly raw: PolicyDiff;
}

/** The sandbox's pin, as far as the 423 and the pin read tell. */
export interface PinState {
  readonly pinnedBy: string | null;
  readonly reason: string | null;
  /** ISO time, or null for "until unpinned". */
  readonly expiresAt: string | null;
  readonly pinnedAt: string | null;
  readonly pinnedVersion: number | null;
  /** The server's 423 detail. */
  readonly detail: string;
}

/** The approval-workflow state of the document's vote pool. */
export interface VoteState {
  /** Approvals a change needs (the workflow's `required_approvals`). */
  readonly needed: number;
  /** Approve votes already recorded for exactly this document; null when unknown. */
  readonly cast: number | null;
  /** `policy.apply:<sha16>`: every voter must send the same bytes to land in this pool. */
  readonly chunkId: string;
  /** Who voted so far, when read. */
  readonly voters?: readonly string[];
}

/** A 409 version mismatch. */
export interface ConflictState {
  /** The live policy hash. */
  readonly liveHash: string;
  /** The lock the request carried. */
  readonly expectedHash: string;
  /** Live policy → file, when the live policy could be read. */
  readonly liveDiff?: TargetDiff;
}

/** A failure that is not one of the expected outcomes. Messages are redacted by the SDK. */
export interface ErrorState {
  /** SDK error code (`transport`, `forbidden`, `validation`, …) or a bridge code. */
  readonly code: string;
  readonly message: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly hint?: string;
}

export interface TargetReport {
  readonly gateway: string | null;
  readonly sandbox: string | null;
  /** The policy file, as given (relative paths stay relative, for CI annotations). */
  readonly file: string | null;
  readonly status: TargetStatus;
  readonly result: ResultClass;
  /** One line for humans. */
  readonly summary: string;
  /** What to do next, when something is expected of the user. */
  readonly next?: string;
  /** Validation problems of the file (warnings included), and notes found while talking to the server. */
  readonly problems: readonly Problem[];
  readonly diff?: TargetDiff;
  readonly mode?: 'replace' | 'merge';
  readonly votes?: VoteState;
  /** Whether applying this document needs votes; read only when there is something to apply. */
  readonly workflow?: 'none' | 'quorum';
  readonly pin?: PinState;
  readonly conflict?: ConflictState;
  /** The live policy hash the server reported. */
  readonly liveHash?: string;
  /** The new policy hash after `applied`. */
  readonly appliedHash?: string;
  /** Set when the response was lost and the outcome was read back from the server. */
  readonly recovered?: string;
  /** Set when `--rebase` turned a 409 into success because the file already matches the live policy. */
  readonly rebased?: boolean;
  readonly error?: ErrorState;
  /** `export` without a file: the canonical document itself (so `--output json` carries it). */
  readonly document?: string;
  /** Side information that did not change the outcome (e.g. the workflow could not be read). */
  readonly notes?: readonly string[];
  /** What the policy gates found, when `--rules` was given. */
  readonly gates?: GateSummary;
  /** `proposals`: the pending draft chunks of the target (agent proposals and denial drafts). */
  readonly proposals?: readonly ProposalState[];
  /** `pull`: where the rules of the re-export came from (approved chunks, who, when). */
  readonly provenance?: readonly ProvenanceState[];
  /** `apply`: pending proposals the applied policy already covers, and how they were closed. */
  readonly settled?: readonly SettledProposal[];
  /** `X-Request-ID` of the target's apply / dry-run request (ShoreGuard's audit log carries it). */
  readonly requestId?: string;
  /** The evidence receipt written for this target (`--receipt-dir`). */
  readonly receipt?: string;
}

/** Votes on a draft chunk. Without a workflow one approve decides (`needed` 1). */
export interface ProposalVotes {
  readonly workflow: boolean;
  readonly cast: number;
  readonly needed: number;
  readonly voters: readonly string[];
}

/** One pending draft chunk, as a reviewer reads it. */
export interface ProposalState {
  readonly chunkId: string;
  /** The `network_policies` key the chunk merges under. */
  readonly ruleName: string;
  /** `L7` when an endpoint is inspected at HTTP level, `L4` for host:port only. */
  readonly layer: 'L4' | 'L7' | null;
  /** One line per endpoint, as OpenShell's CLI prints them (`api.github.com:443 [L7 rest, allow PUT /repos/…]`). */
  readonly endpoints: readonly string[];
  /** The binary that hit the block. */
  readonly binary: string;
  /** Every binary the rule allows. */
  readonly binaries: readonly string[];
  /** The proposer's own words: a hint for the reviewer, not the contract (the rule is). */
  readonly rationale: string;
  /** `agent`: drafted by the agent inside the sandbox; `mechanistic`: drafted from observed denials. */
  readonly origin: 'agent' | 'mechanistic';
  readonly confidence: number;
  /** The gateway flagged it (private address, wildcard host, database or ephemeral port). */
  readonly securityFlagged: boolean;
  readonly securityNotes: string;
  /** ShoreGuard's breadth heuristic, when it gave one. */
  readonly narrowness?: { readonly verdict: string; readonly reasons: readonly string[] };
  /** Null with `--no-votes` or when the tally could not be read. */
  readonly votes: ProposalVotes | null;
  /** With `--write`: what it does to the file (`in_file`: the file already allows it; applying the file settles it). */
  readonly change?: 'added' | 'extended' | 'in_file';
  /** With `--write`: the `network_policies` key of the file it lands under. */
  readonly fileRule?: string;
}

/** One approved chunk behind a rule of a re-export. */
export interface ProvenanceChunk {
  readonly chunkId: string;
  readonly origin: 'agent' | 'mechanistic';
  /** Who merged it (the last voter under a workflow); null when the audit log was not readable (it needs admin). */
  readonly approvedBy: string | null;
  /** ISO-8601 UTC. */
  readonly approvedAt: string | null;
  readonly voters: readonly string[];
  /** Approved through approve-all. */
  readonly bulk: boolean;
  readonly rationale: string;
  readonly endpoints: readonly string[];
}

/** A network rule the re-export added, changed or removed, and the approved chunks that explain it. */
export interface ProvenanceState {
  readonly rule: string;
  readonly change: 'added' | 'changed' | 'removed';
  /** Empty: no approved chunk explains it (an edit in the UI, an apply from elsewhere, an undo). */
  readonly chunks: readonly ProvenanceChunk[];
}

/** A pending proposal the applied policy already covers, closed so it cannot land twice. */
export interface SettledProposal {
  readonly chunkId: string;
  readonly ruleName: string;
  /** `rejected`: closed with the reason; `already_voted` / `not_pending`: someone else settled it; `error`: left pending. */
  readonly outcome: 'rejected' | 'already_voted' | 'not_pending' | 'error';
  readonly reason: string;
  readonly detail?: string;
}

export interface RunReport {
  readonly formatVersion: string;
  readonly tool: { readonly name: 'shoreguard-gitops'; readonly version: string };
  readonly command: GitopsCommand;
  readonly dryRun: boolean;
  /** Base URL of ShoreGuard (never credentials); null for offline commands. */
  readonly server: string | null;
  readonly result: ResultClass;
  readonly exitCode: number;
  readonly exitCodeStyle: ExitCodeStyle;
  /** How many targets ended in each status (only statuses that occurred). */
  readonly counts: Readonly<Partial<Record<TargetStatus, number>>>;
  readonly targets: readonly TargetReport[];
  /** Problems not tied to one target: stray files, unreadable directories, an empty tree. */
  readonly problems: readonly Problem[];
}

export interface RunReportInput {
  readonly command: GitopsCommand;
  readonly dryRun?: boolean;
  readonly server?: string | null;
  readonly targets: readonly TargetReport[];
  readonly problems?: readonly Problem[];
  readonly exitCodeStyle?: ExitCodeStyle;
}

/** Assembles the run report: counts, the combined result (run-level errors count) and the exit code. */
export function buildRunReport(input: RunReportInput): RunReport {
  const problems = input.problems ?? [];
  const counts: Partial<Record<TargetStatus, number>> = {};
  for (const target of input.targets) counts[target.status] = (counts[target.status] ?? 0) + 1;
  const runLevel: ResultClass = problems.some((p) => p.severity === 'error') ? 'error' : 'clean';
  const result = combineResults([runLevel, ...input.targets.map((t) => t.result)]);
  const exitCodeStyle = input.exitCodeStyle ?? 'shoreguard';
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    tool: { name: 'shoreguard-gitops', version: PACKAGE_VERSION },
    command: input.command,
    dryRun: input.dryRun ?? false,
    server: input.server ?? null,
    result,
    exitCode: exitCodeFor(result, exitCodeStyle),
    exitCodeStyle,
    counts,
    targets: input.targets,
    problems,
  };
}

/** A target report with `result` derived from `status`. */
export function targetReport(fields: Omit<TargetReport, 'result' | 'problems'> & { readonly problems?: readonly Problem[] }): TargetReport {
  return { ...fields, problems: fields.problems ?? [], result: STATUS_CLASS[fields.status] };
}

/** `gw/sb`, or the file when the target is unknown. */
export function targetLabel(target: Pick<TargetReport, 'gateway' | 'sandbox' | 'file'>): string {
  if (target.gateway !== null && target.sandbox !== null) return `${target.gateway}/${target.sandbox}`;
  return target.file ?? '<input>';
}

/** "pinned by alice at version 5 (reason: freeze) until …". */
export function describePin(pin: PinState): string {
  const parts = [`pinned by ${pin.pinnedBy ?? 'an unknown actor'}`];
  if (pin.pinnedVersion !== null) parts.push(`at version ${pin.pinnedVersion}`);
  if (pin.reason !== null && pin.reason !== '') parts.push(`(reason: ${JSON.stringify(pin.reason)})`);
  parts.push(pin.expiresAt === null ? 'until unpinned' : `until ${pin.expiresAt}`);
  return parts.join(' ');
}

/** "2 of 3 approvals (sp:a, sp:b)". */
export function describeVotes(votes: VoteState): string {
  const cast = votes.cast === null ? '?' : String(votes.cast);
  const who = votes.voters !== undefined && votes.voters.length > 0 ? ` (${votes.voters.join(', ')})` : '';
  return `${cast} of ${votes.needed} approvals${who}`;
}
