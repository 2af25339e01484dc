/**
 * The commands of `shoreguard-gitops` (cli/main.ts declares the flags; this runs them). Flags arrive
 * untyped from commander and are checked with zod (flags.ts). Every failure ends as a report or one
 * `error:` line with exit code 2 (1 under --detailed-exitcode); nothing is written on bad input.
 */
import { BridgeError, describeThrown } from '../core/errors';
import { isReportableError } from '../targets/remote';
import { usageExitCode } from './exit-codes';
import { runExport } from './export';
import { applyFlags, exportFlags, parseFlags, planFlags, proposalsFlags, pullFlags, syncFlags, UsageError, validateFlags, verifyReceiptFlags } from './flags';
import { redactOutput, type CliIo, type CommandName } from './io';
import { runPlanOrApply, runSync } from './plan-apply';
import { runValidate } from './validate';
import { runProposals, runPull } from './proposals';

/** Runs one command; resolves to its exit code. */
export async function runCommand(name: CommandName, raw: Record<string, unknown>, files: string[], io: CliIo, argv: readonly string[]): Promise<number> {
  const secrets: string[] = [];
  // Defence in depth: the SDK redacts its errors; this also covers anything else the run prints.
  const redactingIo = redactOutput(io, secrets);
  try {
    switch (name) {
      case 'export':
        return await runExport(parseFlags(exportFlags, raw), redactingIo, secrets, io);
      case 'validate':
        return await runValidate(parseFlags(validateFlags, raw), files, redactingIo);
      case 'plan':
        return await runPlanOrApply('plan', parseFlags(planFlags, raw), files, redactingIo, secrets);
      case 'apply':
        return await runPlanOrApply('apply', parseFlags(applyFlags, raw), files, redactingIo, secrets);
      case 'sync':
        return await runSync(parseFlags(syncFlags, raw), files, redactingIo, secrets);
      case 'proposals':
        return await runProposals(parseFlags(proposalsFlags, raw), files, redactingIo, secrets);
      case 'pull':
        return await runPull(parseFlags(pullFlags, raw), files, redactingIo, secrets);
      case 'verify-receipt': {
        // Lazy: the DSSE code (sigstore's modules) is loaded only by the command that needs it.
        const { runVerifyReceipt } = require('./verify-receipt') as typeof import('./verify-receipt');
        return await runVerifyReceipt(parseFlags(verifyReceiptFlags, raw), files, redactingIo);
      }
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof BridgeError || isReportableError(error)) {
      const message = describeThrown(error).message;
      redactingIo.stderr.write(`error: ${message}\n`);
      return usageExitCode(argv);
    }
    throw error;
  }
}
