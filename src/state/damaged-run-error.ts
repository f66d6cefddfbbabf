import { splitRunKey } from '../ports/run-key.js';

/**
 * A run whose saved files cannot be read back as they were written: a record garbled or missing
 * before the journal's end, a checksum that does not match, a record or snapshot of the wrong
 * shape. Such a run is neither advanced nor rewritten (either would lose the records after the
 * damage); it is shown as damaged and can be deleted. Names the file, where in it (line and
 * record number) and what is wrong, so a person can look.
 *
 * @example
 * throw new DamagedRunError('ci/hello-x7k2p', '/state/runs/ci/hello-x7k2p/journal.ndjson', 'line 3 (seq 7)', 'its checksum does not match its content');
 */
export class DamagedRunError extends Error {
  constructor(
    /** The run's key, `namespace/name`. */
    readonly runId: string,
    readonly file: string,
    /** Where in the file: `line 3 (seq 7)`; undefined for the file as a whole. */
    readonly at: string | undefined,
    readonly problem: string,
  ) {
    const { namespace, name } = splitRunKey(runId);
    super(`run "${name}" in namespace "${namespace}" is damaged: ${file}${at ? `, ${at}` : ''}: ${problem}`);
    this.name = 'DamagedRunError';
  }

  /** The reason in one line without the run's name, for a table cell. */
  get reason(): string {
    return `${this.file}${this.at ? `, ${this.at}` : ''}: ${this.problem}`;
  }
}
