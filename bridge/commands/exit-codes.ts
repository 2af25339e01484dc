/** Exit codes of errors that happen before any report exists (bad flags, unusable input). */
import { exitCodeFor } from '../report/report';

export const DETAILED_EXITCODE_FLAG = '--detailed-exitcode';

/** 2, or 1 under --detailed-exitcode: in Terraform's convention 2 means "changes", never an error. */
export function usageExitCode(argv: readonly string[]): number {
  return exitCodeFor('error', argv.includes(DETAILED_EXITCODE_FLAG) ? 'terraform' : 'shoreguard');
}
