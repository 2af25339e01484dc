/**
 * Where a policy file came from, for its receipt: the repository-relative path, `HEAD`, and
 * whether the file at `HEAD` holds exactly the bytes read. A receipt never claims a commit that
 * does not hold those bytes: a modified or untracked file is recorded as such.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runGit } from '../targets/git';
import type { ReceiptPredicate } from './statement';

export type SourceRecord = ReceiptPredicate['source'];

interface Repository {
  readonly root: string;
  readonly head: string | null;
}

/** Looks files up in git; one `rev-parse` per directory, however many targets share it. */
export class SourceInspector {
  readonly #repositories = new Map<string, Promise<Repository | null>>();

  async inspect(file: string, fromStdin: boolean): Promise<SourceRecord> {
    if (fromStdin) return { file, path: file, commit: null, state: 'stdin' };
    let absolute: string;
    try {
      absolute = await fs.realpath(file);
    } catch {
      return { file, path: toPosix(file), commit: null, state: 'no_repository' };
    }
    const repository = await this.#repository(path.dirname(absolute));
    if (repository === null) return { file, path: toPosix(file), commit: null, state: 'no_repository' };
    const relative = toPosix(path.relative(repository.root, absolute));
    if (repository.head === null) return { file, path: relative, commit: null, state: 'untracked' };
    const [committed, working] = await Promise.all([
      runGit(['rev-parse', '--verify', '--quiet', `${repository.head}:${relative}`], repository.root).then(
        (out) => out.trim(),
        () => null,
      ),
      runGit(['hash-object', '--', relative], repository.root).then(
        (out) => out.trim(),
        () => null,
      ),
    ]);
    if (committed === null) return { file, path: relative, commit: repository.head, state: 'untracked' };
    return { file, path: relative, commit: repository.head, state: committed === working ? 'clean' : 'modified' };
  }

  #repository(directory: string): Promise<Repository | null> {
    let found = this.#repositories.get(directory);
    if (found === undefined) {
      found = (async () => {
        let root: string;
        try {
          root = await fs.realpath((await runGit(['rev-parse', '--show-toplevel'], directory)).trim());
        } catch {
          return null;
        }
        const head = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], root).then(
          (out) => out.trim(),
          () => null,
        );
        return { root, head };
      })();
      this.#repositories.set(directory, found);
    }
    return found;
  }
}

/** The bytes of `file` (repository-relative) at `commit`, or undefined when it is not there. */
export async function fileAtCommit(repository: string, commit: string, file: string): Promise<string | undefined> {
  if (commit.startsWith('-') || file.startsWith('-')) return undefined;
  try {
    return await runGit(['show', `${commit}:${file}`], repository);
  } catch {
    return undefined;
  }
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
