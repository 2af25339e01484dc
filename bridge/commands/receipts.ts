/**
 * `apply`/`sync --receipt-dir DIR [--signing-key KEY]`: the receipt writer of one run. The
 * receipts library (and sigstore's modules under it) is required only when receipts are asked
 * for, so a plain plan or apply starts as fast as before.
 */
import type { ShoreGuardClient } from '../../sdk';
import { createRedactor } from '../../sdk/secret';
import type { SigningKey } from '../receipts/keys';
import { exitCodeFor, type TargetReport } from '../report/report';
import type { SettledTarget } from '../targets/run';
import { readLivePolicy } from '../targets/remote';
import { exitStyle, UsageError, type ReportFlags } from './flags';
import type { Output } from './io';

export interface ReceiptFlags {
  readonly receiptDir?: string | undefined;
  readonly signingKey?: string | undefined;
  readonly expectedVersion?: string | undefined;
}

export interface ReceiptRun {
  readonly onSettled: (settled: SettledTarget) => Promise<TargetReport>;
  /** Reports what was written; turns a run whose receipts could not all be written into an error. */
  finish(exitCode: number): number;
}

/**
 * Loads the signing key before anything is sent (a bad key is bad input: exit 2, no request).
 * The key's text joins the run's secrets, so no output can show it.
 */
export async function loadReceiptKey(flags: ReceiptFlags, io: Output, secrets: string[]): Promise<SigningKey | undefined> {
  if (flags.signingKey === undefined) return undefined;
  if (flags.receiptDir === undefined) throw new UsageError('--signing-key signs receipts: give --receipt-dir <dir> too');
  const { loadSigningKey } = require('../receipts/keys') as typeof import('../receipts/keys');
  const key = await loadSigningKey(flags.signingKey, io.env);
  secrets.push(...key.secrets);
  return key;
}

export function receiptRun(
  flags: ReceiptFlags & ReportFlags,
  context: { command: 'apply' | 'sync'; dryRun: boolean; key: SigningKey | undefined },
  client: ShoreGuardClient,
  io: Output,
  secrets: readonly string[],
): ReceiptRun | undefined {
  const dir = flags.receiptDir;
  if (dir === undefined) return undefined;
  const { ReceiptWriter } = require('../receipts/writer') as typeof import('../receipts/writer');
  const writer = new ReceiptWriter({
    dir,
    command: context.command,
    dryRun: context.dryRun,
    server: client.baseUrl,
    redact: (text) => createRedactor([...secrets])(text),
    env: io.env,
    ...(context.key === undefined ? {} : { signingKey: context.key }),
    ...(flags.expectedVersion === undefined ? {} : { expectedVersion: flags.expectedVersion }),
    readBack: async (target) => {
      const live = await readLivePolicy(client, target);
      return { hash: live.hash, version: live.version };
    },
  });
  return {
    onSettled: writer.settle,
    finish(exitCode) {
      for (const omitted of writer.omitted) io.stderr.write(`warning: no receipt for ${omitted}\n`);
      const signed = context.key === undefined ? 'unsigned' : `signed with keyid ${context.key.keyid}`;
      if (writer.written.length > 0) io.stderr.write(`receipts: ${writer.written.length} written to ${dir} (${signed}, run ${writer.runId})\n`);
      if (writer.failures.length === 0) return exitCode;
      // Missing evidence must not look like success.
      for (const failure of writer.failures) io.stderr.write(`error: ${failure}\n`);
      return exitCodeFor('error', exitStyle(flags));
    },
  };
}
