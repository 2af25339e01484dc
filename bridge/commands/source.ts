/** Where an applied document came from, for the reason a settled proposal carries ("applied from Git (commit 1a2b3c4, …)"). */
import * as path from 'node:path';
import { headCommit } from '../targets/git';
import type { CliIo } from './io';

/** The CI's commit (GITHUB_SHA, CI_COMMIT_SHA), else HEAD of the repository `directory` is in. */
export async function gitSource(io: CliIo, directory: string): Promise<string | undefined> {
  const commit = io.env['GITHUB_SHA'] ?? io.env['CI_COMMIT_SHA'] ?? (await headCommit(path.resolve(directory)));
  return commit === undefined || commit === '' ? undefined : `commit ${commit.slice(0, 12)}`;
}
