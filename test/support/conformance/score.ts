// The suite's score: which cases gave identical observations on both servers. Printed at the end
// of the run and written to test-results/conformance.txt.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface IntendedDifferenceSummary {
  id: string;
  reason: string;
}

export class Scoreboard {
  readonly #results = new Map<string, boolean>();

  constructor(private readonly caseIds: readonly string[]) {}

  record(caseId: string, identical: boolean): void {
    this.#results.set(caseId, identical);
  }

  /** "N of M cases identical"; cases that never finished count as not identical. */
  headline(): string {
    const identical = this.caseIds.filter((id) => this.#results.get(id) === true).length;
    return `${identical} of ${this.caseIds.length} cases identical`;
  }

  report(header: readonly string[], intended: readonly IntendedDifferenceSummary[]): string {
    const lines = [...header, '', this.headline(), ''];
    for (const id of this.caseIds) {
      const result = this.#results.get(id);
      lines.push(`${result === true ? 'identical ' : result === false ? 'DIFFERENT ' : 'NOT RUN   '} ${id}`);
    }
    lines.push('', `intended differences (${intended.length}, each proven by its own test):`);
    for (const difference of intended) lines.push(`- ${difference.id}: ${difference.reason}`);
    return `${lines.join('\n')}\n`;
  }

  write(file: string, text: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}
