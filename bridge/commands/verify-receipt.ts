/**
 * `shoreguard-gitops verify-receipt FILE… [--public-key KEY] [--check-file [--repo DIR]]`: one
 * report target per receipt, `valid` or `invalid` with the problems naming what does not match.
 * Offline, except for `git` with `--check-file`.
 */
import { promises as fs } from 'node:fs';
import type { z } from 'zod';
import { describeThrown } from '../core/errors';
import type { Problem } from '../core/problems';
import { loadVerifyingKey } from '../receipts/keys';
import { verifyReceiptText, type ReceiptVerification } from '../receipts/verify';
import { buildRunReport, targetReport, type TargetReport } from '../report/report';
import { emit } from './emit';
import { exitStyle, UsageError, type verifyReceiptFlags } from './flags';
import type { Output } from './io';

export async function runVerifyReceipt(flags: z.infer<typeof verifyReceiptFlags>, files: string[], io: Output): Promise<number> {
  if (files.length === 0) throw new UsageError('verify-receipt needs at least one receipt file');
  if (flags.repo !== undefined && flags.checkFile !== true) throw new UsageError('--repo is the repository for --check-file; give --check-file too');
  const publicKey = flags.publicKey === undefined ? undefined : await loadVerifyingKey(flags.publicKey, io.env);
  const checkFileIn = flags.checkFile === true ? (flags.repo ?? process.cwd()) : undefined;
  const targets: TargetReport[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      const problem: Problem = { file, path: '', code: 'unreadable_file', message: `cannot read the receipt: ${describeThrown(error).message}`, severity: 'error' };
      targets.push(targetReport({ gateway: null, sandbox: null, file, status: 'invalid', summary: problem.message, problems: [problem] }));
      continue;
    }
    const verification = await verifyReceiptText(text, file, {
      ...(publicKey === undefined ? {} : { publicKey }),
      ...(checkFileIn === undefined ? {} : { checkFileIn }),
    });
    targets.push(verificationReport(verification, checkFileIn !== undefined));
  }
  return emit(buildRunReport({ command: 'verify-receipt', targets, exitCodeStyle: exitStyle(flags) }), flags, io, false);
}

function verificationReport(verification: ReceiptVerification, fileChecked: boolean): TargetReport {
  const predicate = verification.statement?.predicate;
  const base = {
    gateway: predicate?.target.gateway ?? null,
    sandbox: predicate?.target.sandbox ?? null,
    file: verification.file,
    problems: verification.problems,
  };
  const errors = verification.problems.filter((p) => p.severity === 'error');
  if (!verification.ok) {
    const first = errors[0];
    return targetReport({
      ...base,
      status: 'invalid',
      summary: `receipt does not verify: ${first === undefined ? 'invalid' : `${first.path === '' ? '' : `${first.path}: `}${first.message}`}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}`,
    });
  }
  const what = predicate === undefined ? 'receipt' : `${predicate.outcome.status} of ${predicate.source.path}${predicate.source.commit === null ? '' : ` at ${predicate.source.commit.slice(0, 12)}`}`;
  const signature = verification.keyid !== undefined ? `signature verified (keyid ${verification.keyid})` : verification.signed ? 'signature NOT checked' : 'unsigned';
  return targetReport({
    ...base,
    status: 'valid',
    summary: `verified: ${what}; ${signature}${fileChecked ? '; the file at the commit has the recorded digest' : ''}`,
  });
}
