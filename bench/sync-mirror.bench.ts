// Mirroring a 5,000-file repository served by the real `git http-backend` on loopback: the
// repository mirror (isomorphic-git) side by side with the git CLI, same server, same runs.
//
//   npm run bench:sync       (or: node dist/bench/sync-mirror.bench.js; SKIFF_BENCH_RUNS=5)
//
// 1. initial clone: RepositoryMirror.fetchCommit into an empty root (its own depth-1 download and
//    pack indexer) vs `git clone --bare` (goal: ratio <= 3); also isomorphic-git's own fetch with
//    depth 1 vs `git clone --bare --depth 1`: what the mirror's first clone would cost without
//    Skiff's indexer.
// 2. incremental fetch of one new commit (one file changed): fetchCommit vs `git fetch`
//    (goal: ratio <= 1.5); also isomorphic-git fetching with depth 1.
// 3. the desired set of a commit (all 5,000 files read from the mirror and linted; the file-count
//    limit raised for the purpose).
// Prints medians and ratios; asserts nothing. Everything lives in a temporary directory removed at the end.
import fs from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { startGitServer } from '../test/env/git/start-git-server.js';
import { runGit } from '../test/env/git/run-git.js';
import { RepositoryMirror } from '../src/sync/repository-mirror.js';
import { desiredSetAt } from '../src/sync/desired-set.js';
import { SYNC_LIMITS } from '../src/sync/sync-limits.js';
import { median } from './median.js';

const runs = Number(process.env.SKIFF_BENCH_RUNS ?? 5);
const FILES = 5000;
const HISTORY = 9;

function manifest(i: number, revision: number): string {
  return `apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  name: template-${i}\nspec:\n  entrypoint: main\n  templates:\n    - name: main\n      container:\n        image: alpine:3.20\n        command: [echo, "template ${i} revision ${revision}"]\n`;
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const scratch = await mkdtemp(join(tmpdir(), 'skiff-bench-sync-'));
const server = await startGitServer();
try {
  const files = Object.fromEntries(Array.from({ length: FILES }, (_, i) => [`workflows/group-${i % 50}/template-${i}.yaml`, manifest(i, 0)]));
  files['.skiff.yml'] = 'paths: [workflows]\nnamespace: bench\n';
  const repo = await server.createRepo('bench/flows', files);
  const work = join(scratch, 'work');
  await runGit(['clone', '--quiet', repo.url, work]);
  // A little history, as a real repository has: each commit changes 100 files.
  for (let revision = 1; revision <= HISTORY; revision++) {
    for (let i = revision * 100; i < revision * 100 + 100; i++)
      await writeFile(join(work, `workflows/group-${i % 50}/template-${i}.yaml`), manifest(i, revision));
    await runGit(['commit', '--quiet', '-am', `revision ${revision}`], { cwd: work });
  }
  await runGit(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], { cwd: work });

  const samples = {
    isoClone: [] as number[],
    cliClone: [] as number[],
    isoShallow: [] as number[],
    cliShallow: [] as number[],
    isoFetch: [] as number[],
    cliFetch: [] as number[],
    isoFetchDepth: [] as number[],
    read: [] as number[],
  };
  let objects = 0;
  for (let run = 0; run < runs; run++) {
    const root = join(scratch, `run-${run}`);
    await mkdir(root, { recursive: true });
    const mirror = new RepositoryMirror({ root: join(root, 'mirrors') });
    const cliDir = join(root, 'cli.git');
    const isoShallowDir = join(root, 'iso-shallow.git');
    // Alternate which side goes first, so that machine noise falls on both alike.
    const clones: Array<[number[], () => Promise<unknown>]> = [
      [samples.isoClone, () => mirror.fetchCommit({ url: repo.url, ref: 'main' })],
      [samples.cliClone, () => runGit(['clone', '--quiet', '--bare', repo.url, cliDir])],
      [
        samples.isoShallow,
        async () => {
          await git.init({ fs, gitdir: isoShallowDir, bare: true });
          await git.setConfig({ fs, gitdir: isoShallowDir, path: 'remote.origin.fetch', value: '+refs/heads/*:refs/heads/*' });
          await git.fetch({ fs, http, gitdir: isoShallowDir, url: repo.url, ref: 'main', singleBranch: true, depth: 1 });
        },
      ],
      [samples.cliShallow, () => runGit(['clone', '--quiet', '--bare', '--depth', '1', repo.url, join(root, 'cli-shallow.git')])],
    ];
    for (const [into, work] of run % 2 ? clones.reverse() : clones) into.push(await time(work));

    await writeFile(join(work, 'workflows/group-0/template-0.yaml'), manifest(0, 100 + run));
    await runGit(['commit', '--quiet', '-am', `bench ${run}`], { cwd: work });
    await runGit(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], { cwd: work });
    const head = await runGit(['rev-parse', 'HEAD'], { cwd: work });
    const fetches: Array<[number[], () => Promise<unknown>]> = [
      [samples.isoFetch, () => mirror.fetchCommit({ url: repo.url, ref: 'main', commit: head })],
      [samples.cliFetch, () => runGit(['fetch', '--quiet', 'origin', '+refs/heads/main:refs/heads/main'], { cwd: cliDir })],
      [samples.isoFetchDepth, () => git.fetch({ fs, http, gitdir: isoShallowDir, url: repo.url, ref: 'main', singleBranch: true, depth: 1 })],
    ];
    for (const [into, work] of run % 2 ? fetches.reverse() : fetches) into.push(await time(work));
    samples.read.push(
      await time(async () => {
        const tree = mirror.treeAt(repo.url, head);
        const result = await desiredSetAt(tree, tree, { ...SYNC_LIMITS, maxFiles: 10_000 });
        if (!result.ok) throw new Error(JSON.stringify(result.diagnostics.slice(0, 3)));
        objects = result.desired.apply.length;
      }),
    );
    await rm(root, { recursive: true, force: true });
  }

  const ms = (values: number[]): string => `${median(values).toFixed(0).padStart(5)} ms`;
  const ratio = (a: number[], b: number[]): string => `${(median(a) / median(b)).toFixed(2)}x`;
  console.log(`repository: ${FILES} files, ${HISTORY + 1} commits before the runs; ${runs} runs; load average ${loadavg()[0]!.toFixed(2)}`);
  console.log(
    `clone   mirror (Skiff's indexer) ${ms(samples.isoClone)}   git clone --bare           ${ms(samples.cliClone)}   ratio ${ratio(samples.isoClone, samples.cliClone)} (goal <= 3x)`,
  );
  console.log(
    `clone   isomorphic-git depth 1   ${ms(samples.isoShallow)}   git clone --bare --depth 1 ${ms(samples.cliShallow)}   ratio ${ratio(samples.isoShallow, samples.cliShallow)}`,
  );
  console.log(`clone   mirror (Skiff's indexer) vs git clone --bare --depth 1: ratio ${ratio(samples.isoClone, samples.cliShallow)} (the same depth)`);
  console.log(
    `fetch   mirror (isomorphic-git)  ${ms(samples.isoFetch)}   git fetch                  ${ms(samples.cliFetch)}   ratio ${ratio(samples.isoFetch, samples.cliFetch)} (goal <= 1.5x)`,
  );
  console.log(`fetch   isomorphic-git depth 1   ${ms(samples.isoFetchDepth)}   (vs the mirror's fetch: ${ratio(samples.isoFetchDepth, samples.isoFetch)})`);
  console.log(`desired set of a commit (${objects} objects read and linted): ${ms(samples.read)}`);
} finally {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
