/** The flags of every command, checked with zod (commander hands them over untyped). */
import { z } from 'zod';
import { DEFAULT_CONCURRENCY } from '../core/concurrency';
import type { ExitCodeStyle } from '../report/report';

/** A mistake in the command line or its inputs: printed as one line, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const reportFlags = z.object({
  output: z.enum(['text', 'json', 'markdown', 'sarif']),
  jsonFile: z.string().optional(),
  markdownFile: z.string().optional(),
  detailedExitcode: z.boolean().optional(),
  color: z.boolean().optional(),
  annotations: z.boolean(),
  stepSummary: z.boolean(),
  sarifFile: z.string().optional(),
});

/** `--rules SPEC` (repeatable): `builtin`, a rule file or a directory of rule files. */
export const gateFlags = z.object({
  rules: z.array(z.string().min(1, 'must not be empty')).optional(),
});

export const serverFlags = z.object({
  url: z.string().optional(),
  tokenFile: z.string().optional(),
  concurrency: z.number().int().min(1).default(DEFAULT_CONCURRENCY),
});

export const selectionFlags = z.object({
  file: z.string().optional(),
  gateway: z.string().optional(),
  sandbox: z.string().optional(),
  dir: z.string().optional(),
  layout: z.string(),
});

export const exportFlags = reportFlags.extend(serverFlags.shape).extend({
  gateway: z.string().optional(),
  sandbox: z.string().optional(),
  out: z.string().optional(),
  dir: z.string().optional(),
  all: z.boolean().optional(),
  layout: z.string(),
});

export const validateFlags = reportFlags.extend(selectionFlags.shape).extend(gateFlags.shape).extend({
  base: z.string().optional(),
  failOnWarn: z.boolean().optional(),
  strictTarget: z.boolean().optional(),
  unknownSections: z.enum(['error', 'warning']),
});

export const planFlags = reportFlags.extend(serverFlags.shape).extend(selectionFlags.shape).extend(gateFlags.shape).extend({
  expectedVersion: z.string().optional(),
  rebase: z.boolean().optional(),
  details: z.boolean().optional(),
  votes: z.boolean().optional(),
  failOnWarn: z.boolean().optional(),
});

export const applyFlags = planFlags.extend({
  mode: z.enum(['replace', 'merge', 'auto']),
  forceUnlocked: z.boolean().optional(),
  closeProposals: z.boolean().optional(),
  receiptDir: z.string().min(1).optional(),
  signingKey: z.string().min(1).optional(),
});

export const syncFlags = reportFlags.extend(serverFlags.shape).extend(gateFlags.shape).extend({
  dir: z.string(),
  layout: z.string(),
  dryRun: z.boolean().optional(),
  rebase: z.boolean().optional(),
  details: z.boolean().optional(),
  votes: z.boolean().optional(),
  failOnWarn: z.boolean().optional(),
  mode: z.enum(['replace', 'merge', 'auto']),
  forceUnlocked: z.boolean().optional(),
  closeProposals: z.boolean().optional(),
  receiptDir: z.string().min(1).optional(),
  signingKey: z.string().min(1).optional(),
});

export const verifyReceiptFlags = reportFlags.extend({
  publicKey: z.string().min(1).optional(),
  checkFile: z.boolean().optional(),
  repo: z.string().min(1).optional(),
});

export type ReportFlags = z.infer<typeof reportFlags>;
export type ServerFlags = z.infer<typeof serverFlags>;
export type SelectionFlags = z.infer<typeof selectionFlags>;

export function parseFlags<T>(schema: z.ZodType<T>, raw: Record<string, unknown>): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const flag = issue?.path.map(String).join('.').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) ?? 'options';
  throw new UsageError(`invalid --${flag}: ${issue?.message ?? 'invalid value'}`);
}

export function exitStyle(flags: ReportFlags): ExitCodeStyle {
  return flags.detailedExitcode === true ? 'terraform' : 'shoreguard';
}

export const proposalsFlags = reportFlags.extend(serverFlags.shape).extend(selectionFlags.shape).extend({
  write: z.boolean().optional(),
  chunk: z.array(z.string().min(1)).optional(),
  votes: z.boolean().optional(),
});

export const pullFlags = reportFlags.extend(serverFlags.shape).extend({
  dir: z.string(),
  layout: z.string(),
});
