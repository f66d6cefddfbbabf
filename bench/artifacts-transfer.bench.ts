// Artifact transfer benchmarks through the S3 driver against a real MinIO on loopback.
//
//   node dist/bench/artifacts-transfer.bench.js [tar|none|small|all]   (SKIFF_BENCH_MIB=1024, SKIFF_BENCH_RUNS=3)
//
// 1. tar+gzip save then load of a directory of mixed files vs GNU `tar -czf - DIR > /dev/null`,
//    same data, same run (target: ratio >= 0.8), and this process's peak RSS (target < 200 MB).
// 2. archive: none upload of one large file (target >= 200 MB/s).
// 3. archive: none upload of 10,000 files of 10 KB (target >= 500 files/s).
// Prints medians; asserts nothing. Data lives in a temporary directory that is removed at the end.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMinio } from '../test/env/minio/start-minio.js';
import { createArtifactDriver } from '../src/artifacts/create-artifact-driver.js';
import { median } from './median.js';

const MIB = 1024 * 1024;
const totalMiB = Number(process.env.SKIFF_BENCH_MIB ?? 1024);
const runs = Number(process.env.SKIFF_BENCH_RUNS ?? 3);
const which = process.argv[2] ?? 'all';

const mbps = (bytes: number, ms: number): string => `${(bytes / MIB / (ms / 1000)).toFixed(1)} MiB/s`;
const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/** Text that compresses about as well as logs do (~3-4x), different in every block. */
function textBlock(seed: number): Buffer {
  const words = ['error', 'step', 'workflow', 'artifact', 'upload', 'node', 'pod', 'INFO', 'WARN', 'took', 'ms', 'bytes', 'key', 'bucket'];
  const lines: string[] = [];
  let n = seed;
  let size = 0;
  while (size < MIB) {
    n = (n * 1103515245 + 12345) >>> 0;
    const line = `2026-11-22T04:${String(n % 60).padStart(2, '0')}:00Z ${words[n % words.length]} ${words[(n >> 4) % words.length]} id=${n.toString(16)} value=${n % 100000}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, MIB);
}

/** Writes a directory of mixed files (text, random, zeros; 4 KiB to 64 MiB) totalling `total` bytes. */
async function makeMixedTree(root: string, total: number): Promise<{ files: number; bytes: number }> {
  const sizes = [64 * MIB, 8 * MIB, MIB, 64 * 1024, 4 * 1024, 256 * 1024, 16 * MIB];
  const kinds = ['text', 'random', 'text', 'random', 'text', 'zeros', 'random'] as const;
  let bytes = 0;
  let files = 0;
  for (let i = 0; bytes < total; i++) {
    const size = Math.min(sizes[i % sizes.length]!, total - bytes);
    const kind = kinds[(i * 3 + Math.floor(i / sizes.length)) % kinds.length]!;
    const dir = join(root, `group-${i % 13}`, `sub-${i % 5}`);
    await mkdir(dir, { recursive: true });
    const handle = await open(join(dir, `file-${i}.${kind === 'text' ? 'log' : 'bin'}`), 'w');
    for (let written = 0; written < size; ) {
      const piece = Math.min(MIB, size - written);
      const data = kind === 'text' ? textBlock(i * 7919 + written).subarray(0, piece) : kind === 'random' ? randomBytes(piece) : Buffer.alloc(piece);
      await handle.write(data);
      written += piece;
    }
    await handle.close();
    bytes += size;
    files++;
  }
  return { files, bytes };
}

function gnuTarMs(parent: string, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('sh', ['-c', `tar -czf - -C "${parent}" "${name}" > /dev/null`], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`tar exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'skiff-bench-artifacts-'));
  const minio = await startMinio();
  const secrets = { get: async (_ns: string, _name: string, key: string) => (key === 'a' ? minio.accessKey : minio.secretKey) };
  const driver = createArtifactDriver({ secrets, namespace: 'bench' });
  const location = (key: string) => ({
    s3: { endpoint: minio.endpoint, bucket: minio.bucket, key, accessKeySecret: { name: 'm', key: 'a' }, secretKeySecret: { name: 'm', key: 's' } },
  });
  const gitSha = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })();
  console.log(
    `artifacts-transfer: node ${process.version}, commit ${gitSha}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${runs} run(s), MinIO ${minio.endpoint}`,
  );
  try {
    if (which === 'tar' || which === 'all') {
      const tree = join(base, 'mixed');
      // Made in a child process, so this process's peak RSS measures transfers only.
      const made = JSON.parse(execFileSync(process.execPath, [process.argv[1]!, 'make-tree', tree, String(totalMiB)], { encoding: 'utf8' })) as {
        files: number;
        bytes: number;
      };
      console.log(
        `\n[tar+gzip] ${made.files} files, ${(made.bytes / MIB).toFixed(0)} MiB (text, random, zeros); peak RSS after making the data ${maxRssMb().toFixed(0)} MB`,
      );
      const gnu: number[] = [];
      const save: number[] = [];
      const load: number[] = [];
      for (let run = 0; run < runs; run++) {
        gnu.push(await gnuTarMs(base, 'mixed'));
        const key = `bench/tar-${run}.tgz`;
        let t = performance.now();
        await driver.save(tree, location(key), { kind: 'tar', level: -1 }, 'mixed');
        save.push(performance.now() - t);
        const rssAfterSave = maxRssMb();
        t = performance.now();
        await driver.load(location(key), join(base, `loaded-${run}`), 'auto', 'mixed');
        load.push(performance.now() - t);
        await rm(join(base, `loaded-${run}`), { recursive: true, force: true });
        console.log(
          `  run ${run + 1}: GNU tar -czf ${(gnu.at(-1)! / 1000).toFixed(2)} s, save ${(save.at(-1)! / 1000).toFixed(2)} s, load ${(load.at(-1)! / 1000).toFixed(2)} s, peak RSS after save ${rssAfterSave.toFixed(0)} MB / after load ${maxRssMb().toFixed(0)} MB, load avg ${loadavg()[0]!.toFixed(2)}`,
        );
      }
      const g = median(gnu);
      const s = median(save);
      const l = median(load);
      console.log(`  GNU tar -czf > /dev/null: ${(g / 1000).toFixed(2)} s (${mbps(made.bytes, g)})`);
      console.log(`  Skiff save (tar+gzip -> S3): ${(s / 1000).toFixed(2)} s (${mbps(made.bytes, s)}), ratio ${(g / s).toFixed(2)}x GNU tar`);
      console.log(`  Skiff load (S3 -> gunzip -> files): ${(l / 1000).toFixed(2)} s (${mbps(made.bytes, l)})`);
      console.log(`  Skiff save + load: ${((s + l) / 1000).toFixed(2)} s, ratio ${(g / (s + l)).toFixed(2)}x GNU tar (target >= 0.8)`);
      console.log(`  peak RSS of this process so far: ${maxRssMb().toFixed(0)} MB (target < 200)`);
      await rm(tree, { recursive: true, force: true });
    }
    if (which === 'none' || which === 'all') {
      const file = join(base, 'one.bin');
      const handle = await open(file, 'w');
      for (let i = 0; i < totalMiB; i++) await handle.write(randomBytes(MIB));
      await handle.close();
      const times: number[] = [];
      for (let run = 0; run < runs; run++) {
        const t = performance.now();
        await driver.save(file, location(`bench/none-${run}.bin`), { kind: 'none', level: 0 }, 'one');
        times.push(performance.now() - t);
        await driver.delete(location(`bench/none-${run}.bin`));
      }
      const m = median(times);
      console.log(
        `\n[archive: none, one ${totalMiB} MiB file] median ${(m / 1000).toFixed(2)} s = ${mbps(totalMiB * MIB, m)} (target >= 200 MB/s); runs ${times.map((x) => (x / 1000).toFixed(2)).join(', ')} s`,
      );
      console.log(`  peak RSS of this process so far: ${maxRssMb().toFixed(0)} MB`);
      await rm(file, { force: true });
    }
    if (which === 'small' || which === 'all') {
      const dir = join(base, 'small');
      for (let d = 0; d < 100; d++) {
        await mkdir(join(dir, `d${d}`), { recursive: true });
        for (let f = 0; f < 100; f++) await writeFile(join(dir, `d${d}`, `f${f}.dat`), randomBytes(10 * 1024));
      }
      const times: number[] = [];
      for (let run = 0; run < runs; run++) {
        const t = performance.now();
        const result = await driver.save(dir, location(`bench/small-${run}`), { kind: 'none', level: 0 }, 'small');
        times.push(performance.now() - t);
        if (result.objects !== 10_000) throw new Error(`uploaded ${result.objects} objects`);
      }
      const m = median(times);
      console.log(
        `\n[archive: none, 10,000 files of 10 KB] median ${(m / 1000).toFixed(2)} s = ${(10_000 / (m / 1000)).toFixed(0)} files/s (target >= 500); runs ${times.map((x) => (x / 1000).toFixed(2)).join(', ')} s`,
      );
      const t = performance.now();
      await driver.load(location('bench/small-0'), join(base, 'small-loaded'), 'auto', 'small');
      const loadMs = performance.now() - t;
      console.log(`  load of the same 10,000 objects: ${(loadMs / 1000).toFixed(2)} s = ${(10_000 / (loadMs / 1000)).toFixed(0)} files/s`);
    }
  } finally {
    driver.close();
    await minio.stop();
    await rm(base, { recursive: true, force: true });
  }
}

if (which === 'make-tree') {
  console.log(JSON.stringify(await makeMixedTree(process.argv[3]!, Number(process.argv[4]) * MIB)));
} else {
  await main();
}
