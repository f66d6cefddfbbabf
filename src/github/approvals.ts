import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `/skiff ok-to-test` approvals of pull requests from forks, each pinned to the head commit it
 * was given for: a new push needs a new approval. Kept in a file of the state directory, so a
 * restart forgets none.
 */
export class ApprovalStore {
  private cache: Record<string, { sha: string; by: string; at: string }> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  async approve(repository: string, pullRequest: number, sha: string, by: string): Promise<void> {
    const all = await this.load();
    all[`${repository}#${pullRequest}`] = { sha, by, at: new Date().toISOString() };
    const text = JSON.stringify(all);
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(`${this.file}.tmp`, text);
      await rename(`${this.file}.tmp`, this.file);
    });
    await this.writing;
  }

  async isApproved(repository: string, pullRequest: number, sha: string): Promise<boolean> {
    return (await this.load())[`${repository}#${pullRequest}`]?.sha === sha;
  }

  private async load(): Promise<Record<string, { sha: string; by: string; at: string }>> {
    if (!this.cache) {
      const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '{}';
        throw error;
      });
      this.cache = JSON.parse(text) as Record<string, { sha: string; by: string; at: string }>;
    }
    return this.cache;
  }
}
