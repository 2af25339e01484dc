/**
 * Reading a policy file as it was at another commit (`validate --base origin/main`), so changes
 * ShoreGuard would silently ignore (landlock-only edits, unknown sections) are flagged in the pull
 * request, offline. Uses the `git` executable; nothing is written.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { safeParsePolicyDocument } from '../document/canonical';
import type { PolicyLike } from '../document/diff';
import { BridgeError, describeThrown } from '../core/errors';

/** The base revision could not be read (no git, not a repository, unknown revision). */
export class GitRevisionError extends BridgeError {
  readonly code = 'GIT_REVISION_UNREADABLE' as const;
  override readonly name = 'GitRevisionError';
}

/** A file's content at `revision`, or undefined when the file did not exist there. */
export async function readFileAtRevision(file: string, revision: string): Promise<string | undefined> {
  if (revision.startsWith('-')) throw new GitRevisionError(`invalid revision ${JSON.stringify(revision)}`);
  const directory = path.dirname(path.resolve(file));
  // `<rev>:./<name>` is resolved relative to the working directory, so no repository root is needed.
  const spec = `${revision}:./${path.basename(file)}`;
  try {
    await run(['cat-file', '-e', spec], directory);
  } catch (missing) {
    // Missing at that revision is normal (a new file); an unknown revision is not.
    try {
      await run(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], directory);
    } catch {
      throw new GitRevisionError(`git cannot resolve revision ${JSON.stringify(revision)} in ${directory}: ${describeThrown(missing).message}`);
    }
    return undefined;
  }
  try {
    return await run(['show', spec], directory);
  } catch (error) {
    throw new GitRevisionError(`cannot read ${file} at ${revision} with git: ${describeThrown(error).message}`);
  }
}

/** The `policy` block of a file at `revision`; undefined when the file was new or unparseable then. */
export async function policyAtRevision(file: string, revision: string): Promise<PolicyLike | undefined> {
  const text = await readFileAtRevision(file, revision);
  if (text === undefined) return undefined;
  const parsed = safeParsePolicyDocument(text);
  return parsed.success ? parsed.parsed.document.policy : undefined;
}

/** Runs `git` in `cwd`; rejects with git's own message. Shared with receipts (commit and file state). */
export function runGit(args: string[], cwd: string): Promise<string> {
  return run(args, cwd);
}

function run(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message));
      else resolve(stdout);
    });
  });
}


/** `git status` could not tell whether a file has local edits (no git, not a work tree). */
export class GitStatusError extends BridgeError {
  readonly code = 'GIT_STATUS_UNREADABLE' as const;
  override readonly name = 'GitStatusError';
}

/**
 * The `git status --porcelain` code of a file with uncommitted changes (` M`, `M `, `??`, …), or
 * undefined when the file is committed as it is (or ignored). Untracked files count as local edits:
 * overwriting them would lose work that is in no commit.
 * @throws GitStatusError when git cannot answer (not a work tree, no git).
 */
export async function uncommittedStatus(file: string): Promise<string | undefined> {
  const directory = path.dirname(path.resolve(file));
  let out: string;
  try {
    await run(['rev-parse', '--is-inside-work-tree'], directory);
    out = await run(['status', '--porcelain=v1', '--untracked-files=all', '--', `./${path.basename(file)}`], directory);
  } catch (error) {
    throw new GitStatusError(`cannot tell whether ${file} has uncommitted edits: ${describeThrown(error).message} (pull only writes into a git work tree)`);
  }
  const line = out.split('\n').find((l) => l.trim() !== '');
  return line === undefined ? undefined : line.slice(0, 2);
}

/** The commit checked out where `directory` is (`HEAD`), or undefined outside a repository. */
export async function headCommit(directory: string): Promise<string | undefined> {
  try {
    return (await run(['rev-parse', '--verify', '--quiet', 'HEAD'], directory)).trim() || undefined;
  } catch {
    return undefined;
  }
}
