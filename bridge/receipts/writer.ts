/**
 * Writes one receipt per target as each target settles (a run that dies half-way still leaves
 * the receipts of the targets it finished). A receipt is written for every outcome — applied,
 * votes, pins, conflicts, errors, invalid and skipped files, dry runs — except a file that could
 * not be read at all: there are no bytes to attest, and the writer says so.
 *
 * Every string of the predicate passes the run's redactor before it is signed, so a receipt can
 * never carry the API key or the signing key, even if a server echoed one into a message.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Redactor } from '../../sdk/secret';
import { redactDeep } from '../../sdk/secret';
import { PACKAGE_VERSION } from '../../sdk/version';
import { describeThrown } from '../core/errors';
import { voteChunkId } from '../document/vote-id';
import type { TargetReport } from '../report/report';
import { writeFilesAtomically } from '../targets/files';
import type { Target } from '../targets/layout';
import type { SettledTarget } from '../targets/run';
import { signEnvelope } from './dsse';
import type { SigningKey } from './keys';
import { SourceInspector } from './source';
import { buildStatement, receiptPredicateSchema, type ReceiptPredicate, type ReceiptStatement } from './statement';

/** The live policy as read back after an apply. */
export interface LiveReadBack {
  readonly hash: string;
  readonly version: number;
}

export interface ReceiptWriterOptions {
  /** Directory the receipts go to (created when missing). */
  readonly dir: string;
  readonly command: 'apply' | 'sync';
  readonly dryRun: boolean;
  /** ShoreGuard's base URL (never credentials). */
  readonly server: string | null;
  /** Signs every receipt as a DSSE envelope; without it receipts are plain in-toto statements. */
  readonly signingKey?: SigningKey;
  /** The run's redactor (API keys, the signing key). */
  readonly redact: Redactor;
  /** For the CI block (only the named non-secret variables are read). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--expected-version`, when given: the lock sent instead of the file's. */
  readonly expectedVersion?: string;
  /**
   * Reads the live policy after an `applied` target (one request), so `live.after` is observed
   * rather than inferred. Failures leave the version unknown.
   */
  readonly readBack?: (target: Target) => Promise<LiveReadBack>;
}

export class ReceiptWriter {
  /** `20261204T210501Z-1a2b3c`: shared by the receipts of one run, part of every file name. */
  readonly runId: string;
  /** Receipts written, in the order targets settled. */
  readonly written: string[] = [];
  /** Receipts that could not be written (each a sentence); the command fails when any. */
  readonly failures: string[] = [];
  /** Targets without a receipt (a file that could not be read). */
  readonly omitted: string[] = [];
  readonly #options: ReceiptWriterOptions;
  readonly #sources = new SourceInspector();
  readonly #names = new Set<string>();

  constructor(options: ReceiptWriterOptions, now: Date = new Date()) {
    this.#options = options;
    this.runId = `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  }

  /** The `onSettled` hook of runPolicies: writes the target's receipt, returns its report with `receipt` set. */
  readonly settle = async (settled: SettledTarget): Promise<TargetReport> => {
    const { report } = settled;
    let statement: ReceiptStatement | undefined;
    try {
      statement = await this.buildFor(settled);
    } catch (error) {
      this.failures.push(`cannot build the receipt of ${report.file ?? '<input>'}: ${describeThrown(error).message}`);
      return report;
    }
    if (statement === undefined) {
      this.omitted.push(`${report.file ?? '<input>'}: the file could not be read, so there are no bytes to attest`);
      return report;
    }
    const file = path.join(this.#options.dir, this.#fileName(report));
    const payload = Buffer.from(JSON.stringify(statement), 'utf8');
    const key = this.#options.signingKey;
    const content = key === undefined ? `${JSON.stringify(statement, null, 2)}\n` : `${JSON.stringify(signEnvelope(payload, key), null, 2)}\n`;
    try {
      await writeFilesAtomically([{ file, content }]);
    } catch (error) {
      this.failures.push(`cannot write the receipt ${file}: ${describeThrown(error).message}`);
      return report;
    }
    this.written.push(file);
    return { ...report, receipt: file };
  };

  /** The statement of one settled target; undefined when there are no bytes to attest. */
  async buildFor(settled: SettledTarget): Promise<ReceiptStatement | undefined> {
    const { report, local } = settled;
    const bytes = local.ok ? local.canonical : local.text;
    if (bytes === undefined) return undefined;
    // A file read from stdin (or given as text) has no place in a repository.
    const file = local.file ?? '<input>';
    const source = await this.#sources.inspect(file, local.file === null || local.file === '<stdin>');
    const metadata = local.ok ? local.document.metadata : undefined;
    const sent = report.status !== 'invalid' && report.status !== 'skipped';
    const after = report.status === 'applied' && report.recovered === undefined ? await this.#readBack(local.ok ? local.target : undefined) : undefined;
    const lockVersion = (hash: string | null): number | null =>
      hash !== null && metadata?.policy_hash === hash && typeof metadata.version === 'number' ? metadata.version : null;
    const predicate: ReceiptPredicate = {
      tool: { name: 'shoreguard-gitops', version: PACKAGE_VERSION },
      command: this.#options.command,
      dryRun: this.#options.dryRun,
      runId: this.runId,
      target: { gateway: report.gateway, sandbox: report.sandbox },
      server: { url: this.#options.server },
      source,
      document: {
        digestOf: local.ok ? 'canonical' : 'file',
        sha256: createHash('sha256').update(bytes, 'utf8').digest('hex'),
        bytes: Buffer.byteLength(bytes, 'utf8'),
        voteChunkId: local.ok ? voteChunkId(local.canonical) : null,
        policyHash: metadata?.policy_hash ?? null,
        version: metadata?.version ?? null,
      },
      request: {
        sent,
        mode: report.mode ?? null,
        expectedVersion: sent ? (nonEmpty(this.#options.expectedVersion) ?? nonEmpty(metadata?.policy_hash) ?? null) : null,
        requestIds: [...new Set([report.requestId, report.error?.requestId].filter((id): id is string => id !== undefined))],
      },
      outcome: {
        status: report.status,
        result: report.result,
        summary: report.summary,
        rebased: report.rebased === true,
        recovered: report.recovered ?? null,
        error:
          report.error === undefined
            ? null
            : {
                code: report.error.code,
                message: report.error.message,
                ...(report.error.status === undefined ? {} : { status: report.error.status }),
                ...(report.error.requestId === undefined ? {} : { requestId: report.error.requestId }),
              },
        problems: report.problems.map((p) => p.code),
      },
      live: liveStates(report, lockVersion, after),
      votes:
        report.votes === undefined
          ? null
          : {
              chunkId: report.votes.chunkId,
              cast: report.votes.cast,
              needed: report.votes.needed,
              ...(report.votes.voters === undefined ? {} : { voters: [...report.votes.voters] }),
            },
      pin:
        report.pin === undefined
          ? null
          : { pinnedBy: report.pin.pinnedBy, reason: report.pin.reason, expiresAt: report.pin.expiresAt, pinnedAt: report.pin.pinnedAt, pinnedVersion: report.pin.pinnedVersion },
      gates: gatesRecord(report),
      timestamps: { startedAt: settled.startedAt.toISOString(), finishedAt: settled.finishedAt.toISOString() },
      ci: ciRecord(this.#options.env),
    };
    // Redact first, then validate: the statement that gets signed is the redacted one.
    return buildStatement(receiptPredicateSchema.parse(redactDeep(predicate, this.#options.redact)));
  }

  async #readBack(target: Target | undefined): Promise<LiveReadBack | undefined> {
    if (target === undefined || this.#options.readBack === undefined) return undefined;
    try {
      return await this.#options.readBack(target);
    } catch {
      return undefined; // the outcome stands; the receipt then records the version as unknown
    }
  }

  #fileName(report: TargetReport): string {
    const label =
      report.gateway !== null && report.sandbox !== null
        ? `${report.gateway}__${report.sandbox}`
        : `file-${path.basename(report.file ?? 'input').replace(/[^A-Za-z0-9._-]/g, '_')}`;
    let name = `${label}.${this.runId}.receipt.json`;
    for (let n = 2; this.#names.has(name); n++) name = `${label}-${n}.${this.runId}.receipt.json`;
    this.#names.add(name);
    return name;
  }
}

type HashAndVersion = ReceiptPredicate['live']['before'];

function liveStates(report: TargetReport, lockVersion: (hash: string | null) => number | null, readBack: LiveReadBack | undefined): ReceiptPredicate['live'] {
  const unknown: HashAndVersion = { hash: null, version: null };
  switch (report.status) {
    case 'applied': {
      if (report.recovered !== undefined) {
        // The answer was lost; what is known is the state read back afterwards.
        return { before: unknown, after: { hash: report.appliedHash ?? report.liveHash ?? null, version: null } };
      }
      const before = report.liveHash ?? null;
      return {
        before: { hash: before, version: lockVersion(before) },
        after: readBack === undefined ? { hash: report.appliedHash ?? null, version: null } : { hash: readBack.hash, version: readBack.version },
      };
    }
    case 'pinned': {
      const pinned: HashAndVersion = { hash: null, version: report.pin?.pinnedVersion ?? null };
      return { before: pinned, after: pinned };
    }
    case 'invalid':
    case 'skipped':
      return { before: unknown, after: unknown };
    default: {
      // Nothing was written: the live policy after is the one before.
      const hash = report.liveHash ?? report.conflict?.liveHash ?? null;
      const state: HashAndVersion = { hash, version: lockVersion(hash) };
      return { before: state, after: state };
    }
  }
}

function gatesRecord(report: TargetReport): ReceiptPredicate['gates'] {
  const gates = report.gates;
  if (gates === undefined) return { evaluated: false };
  // Copied field by field: the receipt's schema is strict, the report's may grow.
  return {
    evaluated: true,
    packs: [...gates.packs],
    errors: gates.errors,
    warnings: gates.warnings,
    suppressed: gates.suppressed,
    findings: gates.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: f.file,
      ...(f.line === undefined ? {} : { line: f.line }),
      ...(f.path === undefined ? {} : { path: f.path }),
      ...(f.suppressed === undefined
        ? {}
        : { suppressed: { reason: f.suppressed.reason, ...(f.suppressed.expires === undefined ? {} : { expires: f.suppressed.expires }) } }),
    })),
  };
}

/** The CI job from its documented, non-secret variables. */
export function ciRecord(env: Readonly<Record<string, string | undefined>>): ReceiptPredicate['ci'] {
  const get = (name: string): string | null => {
    const value = env[name];
    return value === undefined || value === '' ? null : value;
  };
  if (env['GITHUB_ACTIONS'] === 'true') {
    const server = get('GITHUB_SERVER_URL');
    const repository = get('GITHUB_REPOSITORY');
    const runId = get('GITHUB_RUN_ID');
    return {
      provider: 'github',
      runUrl: server !== null && repository !== null && runId !== null ? `${server}/${repository}/actions/runs/${runId}` : null,
      repository,
      ref: get('GITHUB_REF'),
      commit: get('GITHUB_SHA'),
      actor: get('GITHUB_ACTOR'),
      workflow: get('GITHUB_WORKFLOW'),
    };
  }
  if (env['GITLAB_CI'] === 'true') {
    return {
      provider: 'gitlab',
      runUrl: get('CI_JOB_URL'),
      repository: get('CI_PROJECT_PATH'),
      ref: get('CI_COMMIT_REF_NAME'),
      commit: get('CI_COMMIT_SHA'),
      actor: get('GITLAB_USER_LOGIN'),
      workflow: get('CI_PIPELINE_ID'),
    };
  }
  return null;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
