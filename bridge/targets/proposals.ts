/**
 * `proposals`: the pending draft chunks of each target (agent proposals submitted from inside the
 * sandbox, and drafts from observed denials), rendered for review, and with `write` turned into
 * the change each makes to the target's file in Git, so a reviewer reviews the exact YAML in a
 * pull request. The file keeps its lock (`metadata.policy_hash`, `version`): plan/apply of the
 * pull request run against the revision the proposal was made on.
 *
 * Requests per target: 1 (pending chunks); with pending chunks +1 (the pin: a pinned sandbox
 * cannot take the change, so nothing is written) and +1 per chunk for its votes (unless `votes`
 * is false). Files are written only when every target succeeded (all or nothing).
 */
import { isShoreGuardError, type DraftChunk, type ShoreGuardClient } from '../../sdk';
import { canonicalize } from '../document/canonical';
import { diffPolicy } from '../document/diff';
import type { PolicyDocument } from '../document/document';
import { DEFAULT_CONCURRENCY, mapConcurrent } from '../core/concurrency';
import { thrownText } from '../core/errors';
import { formatProblem, type Problem } from '../core/problems';
import { isMergeable, mergeChunk } from '../proposals/merge';
import { renderRule } from '../proposals/render';
import { buildRunReport, describePin, targetReport, type ExitCodeStyle, type PinState, type ProposalState, type ProposalVotes, type RunReport, type TargetReport } from '../report/report';
import { writeFilesAtomically, type FileWrite } from './files';
import type { Target } from './layout';
import { loadPolicy, type PolicySource } from './local';
import { errorState, isReportableError, targetDiff } from './remote';

/** One target to list: from a tree file, or `-g/-s` (with or without a file). */
export interface ProposalTarget {
  readonly target: Target;
  /** The target's file in Git; null lists only (nothing to write into). */
  readonly source: PolicySource | null;
}

export interface ProposalsOptions {
  /** Write each target's pending proposals into its file. @default false */
  readonly write?: boolean;
  /** Only these chunk ids; one that is not pending in any target is an error (nothing written). */
  readonly chunks?: readonly string[];
  /** Read each chunk's votes (+1 request per chunk). @default true */
  readonly votes?: boolean;
  /** @default 8 */
  readonly concurrency?: number;
  readonly exitCodeStyle?: ExitCodeStyle;
  readonly onProgress?: (done: number, total: number, report: TargetReport) => void;
}

interface Outcome {
  readonly report: TargetReport;
  readonly write?: FileWrite;
  readonly seen: readonly string[];
}

/** Lists (and with `write`, writes) the pending proposals of every target. */
export async function proposalsRun(client: ShoreGuardClient, targets: readonly ProposalTarget[], options: ProposalsOptions = {}, problems: readonly Problem[] = []): Promise<RunReport> {
  let done = 0;
  const outcomes = await mapConcurrent(targets, options.concurrency ?? DEFAULT_CONCURRENCY, async (item) => {
    const outcome = await proposalsForTarget(client, item, options);
    options.onProgress?.(++done, targets.length, outcome.report);
    return outcome;
  });
  const runProblems = [...problems];
  const seen = new Set(outcomes.flatMap((o) => o.seen));
  for (const id of options.chunks ?? []) {
    if (seen.has(id)) continue;
    runProblems.push({
      path: '',
      code: 'unknown_chunk',
      message: `--chunk ${id}: no pending proposal with this id in ${targets.length === 1 ? targetName(targets[0]?.target) : `the ${targets.length} selected targets`} (list them with shoreguard-gitops proposals)`,
      severity: 'error',
    });
  }
  const failed = runProblems.some((p) => p.severity === 'error') || outcomes.some((o) => o.report.result === 'error');
  const finish = (reports: readonly TargetReport[]) =>
    buildRunReport({ command: 'proposals', server: client.baseUrl, targets: reports, problems: runProblems, ...(options.exitCodeStyle ? { exitCodeStyle: options.exitCodeStyle } : {}) });
  const writes = outcomes.flatMap((o) => (o.write === undefined ? [] : [o.write]));
  if (failed || writes.length === 0) {
    // All or nothing: a half-written tree would make a pull request that reviews part of the run.
    return finish(
      outcomes.map((o) =>
        o.write === undefined ? o.report : { ...o.report, status: 'skipped' as const, result: 'error' as const, summary: `not written: ${failed ? 'another target or --chunk failed' : 'nothing to write'}; ${o.report.summary}` },
      ),
    );
  }
  try {
    await writeFilesAtomically(writes);
  } catch (error) {
    const message = `cannot write the proposals: ${thrownText(error)}`;
    return finish(outcomes.map((o) => (o.write === undefined ? o.report : { ...o.report, status: 'error' as const, result: 'error' as const, summary: `not written: ${message}`, error: { code: 'write_failed', message } })));
  }
  return finish(outcomes.map((o) => o.report));
}

function targetName(target: Target | undefined): string {
  return target === undefined ? 'the selection' : `${target.gateway}/${target.sandbox}`;
}

async function proposalsForTarget(client: ShoreGuardClient, item: ProposalTarget, options: ProposalsOptions): Promise<Outcome> {
  const { target } = item;
  const file = item.source?.file ?? null;
  const fields = { ...target, file };

  // The file first: a broken file is reported before anything is asked of the server.
  let document: PolicyDocument | undefined;
  let fileProblems: readonly Problem[] = [];
  let original: string | undefined;
  if (item.source !== null) {
    const loaded = await loadPolicy({ ...item.source, target });
    if (!loaded.ok) {
      const first = loaded.problems.find((p) => p.severity === 'error') ?? loaded.problems[0];
      return {
        seen: [],
        report: targetReport({ ...fields, status: 'invalid', summary: `not read: ${first === undefined ? 'invalid' : formatProblem(first)}`, next: 'fix the file (shoreguard-gitops validate), then run this again', problems: loaded.problems }),
      };
    }
    document = loaded.document;
    fileProblems = loaded.problems;
    original = loaded.canonical;
  }

  let pending: readonly DraftChunk[];
  try {
    pending = await client.approvals.pending(target.gateway, target.sandbox);
  } catch (error) {
    if (!isReportableError(error)) throw error;
    const state = errorState(error);
    return { seen: [], report: targetReport({ ...fields, status: 'error', summary: `reading the pending proposals failed: ${state.message}`, problems: fileProblems, error: state, ...(state.hint ? { next: state.hint } : {}) }) };
  }
  const wanted = options.chunks === undefined || options.chunks.length === 0 ? pending : pending.filter((chunk) => options.chunks?.includes(chunk.id));
  const seen = wanted.map((chunk) => chunk.id);
  if (wanted.length === 0) {
    const summary = pending.length === 0 ? 'no pending proposals' : `no pending proposal matches --chunk (${pending.length} other pending)`;
    return { seen, report: targetReport({ ...fields, status: 'no_proposals', summary, problems: fileProblems }) };
  }

  const [pin, votes] = await Promise.all([readPin(client, target), readAllVotes(client, target, wanted, options.votes !== false)]);
  const states: ProposalState[] = wanted.map((chunk, i) => proposalState(chunk, votes[i] ?? null));

  // The change to the file: every chunk merged in turn, then the canonical bytes.
  let changed: PolicyDocument | undefined = document;
  if (document !== undefined) {
    for (const [i, chunk] of wanted.entries()) {
      if (!isMergeable(chunk) || changed === undefined) continue;
      try {
        const merged = mergeChunk(changed, chunk);
        changed = merged.document;
        states[i] = { ...(states[i] as ProposalState), change: merged.result.change, ...(merged.result.ruleKey === null ? {} : { fileRule: merged.result.ruleKey }) };
      } catch (error) {
        return { seen, report: targetReport({ ...fields, status: 'error', summary: `cannot merge proposal ${chunk.id} into ${file}: ${thrownText(error)}`, problems: fileProblems, proposals: states, error: { code: 'merge_failed', message: thrownText(error) } }) };
      }
    }
  }
  const raw = document !== undefined && changed !== undefined ? diffPolicy(document.policy, changed.policy) : undefined;
  const diff = raw !== undefined && document !== undefined && changed !== undefined ? targetDiff(raw, { oldPolicy: document.policy, newPolicy: changed.policy }) : undefined;
  const content = changed === undefined ? undefined : canonicalize(changed);
  const summary = describeProposals(states);

  if (pin.state !== null && options.write === true) {
    return {
      seen,
      report: targetReport({
        ...fields,
        status: 'pinned',
        summary: `${summary}; but the sandbox is ${describePin(pin.state)}: nothing was written`,
        next: 'unpin the sandbox (or wait for the pin to expire), then run this again',
        problems: fileProblems,
        proposals: states,
        pin: pin.state,
      }),
    };
  }
  const notes = [
    ...(pin.note === undefined ? [] : [pin.note]),
    ...(pin.state === null ? [] : [`the sandbox is ${describePin(pin.state)}: neither an approval nor an apply goes through until then`]),
  ];
  const flagged = states.filter((s) => s.securityFlagged).length;
  const review = flagged > 0 ? `; ${flagged} security-flagged: review the gateway's notes before approving` : '';
  if (options.write === true && content !== undefined && file !== null && content !== original) {
    return {
      seen,
      write: { file, content },
      report: targetReport({
        ...fields,
        status: 'proposal_written',
        summary: `${summary}; wrote ${file} (lock untouched)`,
        next: `review the change in a pull request; plan/apply of the merged file settles the proposal${states.length === 1 ? '' : 's'}${review}`,
        problems: fileProblems,
        proposals: states,
        diff,
        notes,
      }),
    };
  }
  const inFile = states.length > 0 && states.every((s) => s.change === 'in_file');
  return {
    seen,
    report: targetReport({
      ...fields,
      status: 'proposal_pending',
      summary: inFile && file !== null ? `${summary}; ${file} already allows ${states.length === 1 ? 'it' : 'them'}` : summary,
      next: inFile
        ? 'apply the file (shoreguard-gitops apply): the apply closes the proposals it covers'
        : file === null
          ? `approve or reject in ShoreGuard, or write them into Git for review: shoreguard-gitops proposals --write${review}`
          : `write them into the file for review: shoreguard-gitops proposals --write${review}`,
      problems: fileProblems,
      proposals: states,
      ...(diff === undefined || !diff.drift ? {} : { diff }),
      ...(pin.state === null ? {} : { pin: pin.state }),
      notes,
    }),
  };
}

/** "2 pending proposals: allow_api_github_com_443 (L7, agent), …". */
export function describeProposals(states: readonly ProposalState[]): string {
  const list = states.map((s) => `${s.ruleName} (${[s.layer ?? 'no rule', s.origin === 'agent' ? 'agent' : 'denials', ...(s.securityFlagged ? ['security-flagged'] : [])].join(', ')})`);
  return `${states.length} pending proposal${states.length === 1 ? '' : 's'}: ${list.join(', ')}`;
}

export function proposalState(chunk: DraftChunk, votes: ProposalVotes | null): ProposalState {
  return {
    chunkId: chunk.id,
    ruleName: chunk.ruleName,
    layer: chunk.layer,
    endpoints: renderRule(chunk.rule),
    binary: chunk.binary,
    binaries: chunk.rule?.binaries ?? (chunk.binary === '' ? [] : [chunk.binary]),
    rationale: chunk.rationale,
    origin: chunk.origin,
    confidence: chunk.confidence,
    securityFlagged: chunk.securityFlagged,
    securityNotes: chunk.securityNotes,
    ...(chunk.narrowness === null ? {} : { narrowness: { verdict: chunk.narrowness.verdict, reasons: chunk.narrowness.reasons } }),
    votes,
  };
}

async function readPin(client: ShoreGuardClient, target: Target): Promise<{ state: PinState | null; note?: string }> {
  try {
    const pin = await client.pins.get(target.gateway, target.sandbox);
    if (pin === null) return { state: null };
    return {
      state: { pinnedBy: pin.pinnedBy, reason: pin.reason, expiresAt: pin.expiresAt, pinnedAt: pin.pinnedAt, pinnedVersion: pin.pinnedVersion, detail: `pinned at version ${pin.pinnedVersion}` },
    };
  } catch (error) {
    if (!isReportableError(error)) throw error;
    return { state: null, note: `the pin could not be read (${errorState(error).message})` };
  }
}

async function readAllVotes(client: ShoreGuardClient, target: Target, chunks: readonly DraftChunk[], read: boolean): Promise<(ProposalVotes | null)[]> {
  if (!read) return chunks.map(() => null);
  return Promise.all(
    chunks.map(async (chunk) => {
      try {
        const tally = await client.approvals.tally(target.gateway, target.sandbox, chunk.id);
        const voters = tally.decisions.filter((d) => d.decision === 'approve').map((d) => d.actor);
        return { workflow: tally.workflow, cast: tally.votesCast, needed: tally.votesNeeded, voters };
      } catch (error) {
        if (isShoreGuardError(error)) return null;
        throw error;
      }
    }),
  );
}
