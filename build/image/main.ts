// `npm run image` (scripts/build-image.sh): writes Skiff's container image as an OCI archive, with
// no container engine and no registry, from the same builder the test environment's node uses.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeOciArchive } from './oci-archive.js';
import { normalizeImageName, skiffImageParts } from './skiff-image.js';

const USAGE = `Usage: npm run image -- [options]

Builds Skiff's container image (Node.js 24, the production dependencies, the compiled dist/src
and a static busybox) as an OCI archive, without a container engine or a registry.

Options:
  --output FILE   where to write the archive (default: skiff-image.tar in the repository)
  --tag NAME      the image's name (default: skiff:<version of package.json>); a name without
                  a tag gets the package version
  -h, --help      show this help

Exit status: 0 written, 1 the build failed (what is missing is named), 2 usage error.
`;

// Found by walking up, so the same code works from build/ (ts) and from dist/build/ (compiled).
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'scripts', 'node-lts.sh'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (scripts/node-lts.sh) above this file');
    dir = parent;
  }
  return dir;
}

function usageError(message: string): never {
  process.stderr.write(`skiff image: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { output?: string; tag?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { output: { type: 'string' }, tag: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const root = repoRoot();
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  const tag = values.tag ?? `skiff:${version}`;
  let name: string;
  try {
    name = normalizeImageName(tag, version);
  } catch (error) {
    usageError((error as Error).message);
  }
  const output = resolve(values.output ?? join(root, 'skiff-image.tar'));
  if (existsSync(output) && (await stat(output)).isDirectory()) usageError(`--output ${output} is a directory; name a file`);

  const parts = await skiffImageParts({ repoRoot: root, cacheDir: join(process.env.SKIFF_CACHE_DIR ?? join(root, '.cache'), 'node') });
  await writeOciArchive(output, name, parts.layers, parts.runtime);
  const megabytes = ((await stat(output)).size / 1_000_000).toFixed(0);
  // The name as given (with its tag) reads better than containerd's full form, and means the same.
  const imageTag = name.slice(name.lastIndexOf(':') + 1);
  const repository = tag.endsWith(`:${imageTag}`) ? tag.slice(0, -imageTag.length - 1) : tag;
  process.stdout.write(`Wrote ${repository}:${imageTag} (${megabytes} MB; containerd knows it as ${name}) to ${output}

Put it where your cluster's nodes can run it, one of:
  containerd on each node:  ctr -n k8s.io images import ${output}
  a kind cluster:           kind load image-archive ${output}
  a registry:               skopeo copy oci-archive:${output} docker://REGISTRY/skiff:${imageTag}

Then install the chart with that image, e.g.:
  helm install skiff charts/skiff --namespace skiff --create-namespace \\
    --set serve.enabled=false --set controller.enabled=true \\
    --set image.repository=${repository} --set image.tag=${imageTag}
`);
}

main().catch((error: unknown) => {
  process.stderr.write(`skiff image: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
