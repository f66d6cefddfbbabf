// Real workflows through the local runtime against a real MinIO (test/env/minio): the repository
// found by Argo's rule (workflow ref > namespace ConfigMap with its default-key annotation >
// default), key-only artifacts, and the archive modes, checked by reading the stored objects.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { LocalRunHarness, MemoryObjects } from '../runtime/local/local-run-harness.js';
import { skiff, workspace } from '../cli/run-cli.js';
import type { WorkflowStatus } from '../../src/engine/workflow-status.js';

const repo = (minio: MinioServer, prefix: string) =>
  `s3:\n  bucket: ${minio.bucket}\n  endpoint: ${minio.endpoint.replace('http://', '')}\n  insecure: true\n  keyPrefix: ${prefix}\n  accessKeySecret: {name: minio-cred, key: accesskey}\n  secretKeySecret: {name: minio-cred, key: secretkey}\n`;

describe('local runs against MinIO', () => {
  let minio: MinioServer;
  let s3: S3Client;
  let harness: LocalRunHarness;
  const object = async (key: string): Promise<Buffer> => {
    const got = await s3.send(new GetObjectCommand({ Bucket: minio.bucket, Key: key }));
    return Buffer.from(await got.Body!.transformToByteArray());
  };

  before(async () => {
    minio = await startMinio();
    s3 = new S3Client(minio.s3Config());
    const objects = new MemoryObjects().addSecret('default', 'minio-cred', { accesskey: minio.accessKey, secretkey: minio.secretKey }).addConfigMap({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'artifact-repositories', namespace: 'default', annotations: { 'workflows.argoproj.io/default-artifact-repository': 'ns-default' } },
      data: { 'ns-default': repo(minio, 'from-namespace'), other: repo(minio, 'from-ref'), logging: `${repo(minio, 'from-logging')}archiveLogs: true\n` },
    });
    harness = await LocalRunHarness.create(objects);
  });
  after(async () => {
    await harness?.close();
    await minio?.stop();
  });

  it('finds the repository through the namespace ConfigMap default key, and stores the three archive modes', async () => {
    const { id, status } = await harness.run(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s3-modes-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: make, template: make}
    - - name: use
        template: use
        arguments: {artifacts: [{name: in, from: "{{steps.make.outputs.artifacts.keyed}}"}]}
  - name: make
    container: {image: alpine, command: [sh, -c, "echo tarred > /tmp/t; echo plain > /tmp/p; echo level0 > /tmp/z; echo keyed > /tmp/k"]}
    outputs:
      artifacts:
      - {name: tarred, path: /tmp/t}
      - {name: plain, path: /tmp/p, archive: {none: {}}}
      - {name: level0, path: /tmp/z, archive: {tar: {compressionLevel: 0}}}
      - {name: keyed, path: /tmp/k, s3: {key: "custom/{{workflow.name}}/keyed.tgz"}}
  - name: use
    inputs: {artifacts: [{name: in, path: /tmp/in}]}
    container: {image: alpine, command: [sh, -c, "test \\"$(cat /tmp/in)\\" = keyed"]}
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status, null, 1));
    assert.equal(status.artifactRepositoryRef?.configMap, 'artifact-repositories');
    assert.equal(status.artifactRepositoryRef?.key, 'ns-default');
    const make = Object.values(status.nodes).find((n) => n.displayName === 'make')!;
    const keys = Object.fromEntries((make.outputs?.artifacts ?? []).map((a) => [a.name, a.s3?.key ?? '']));
    assert.match(keys.tarred!, /^from-namespace\/.*\/tarred\.tgz$/);
    const tarred = await object(keys.tarred!);
    assert.equal(tarred[0], 0x1f, 'tar default: gzipped');
    assert.ok(gunzipSync(tarred).includes('tarred\n'));
    assert.equal((await object(keys.plain!)).toString(), 'plain\n', 'archive: none stores the file as is');
    const level0 = await object(keys.level0!);
    assert.ok(gunzipSync(level0).includes('level0\n'), 'compressionLevel 0 still a tarball');
    assert.equal(keys.keyed, `custom/${id}/keyed.tgz`, 'a key-only artifact keeps its key in the repository bucket');
    assert.ok(gunzipSync(await object(keys.keyed!)).includes('keyed\n'));
  });

  it("takes $SKIFF_DEFAULT_ARTIFACT_REPOSITORY (the controller's default) when neither the workflow nor its namespace names one", async () => {
    const dir = workspace({
      'secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata: {name: minio-cred, namespace: plain}\nstringData: {accesskey: ${minio.accessKey}, secretkey: ${minio.secretKey}}\n`,
      'plain.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: plain-run, namespace: plain}
spec:
  entrypoint: make
  templates:
  - name: make
    container: {image: alpine, command: [sh, -c, "echo plain > /tmp/p"]}
    outputs: {artifacts: [{name: p, path: /tmp/p}]}
`,
    });
    const env = { SKIFF_RUNTIME: 'local', SKIFF_DEFAULT_ARTIFACT_REPOSITORY: repo(minio, 'from-controller-default') };
    assert.equal((await skiff(dir, ['apply', 'secret.yaml'], { env })).status, 0);
    const submitted = await skiff(dir, ['submit', 'plain.yaml', '--wait', '-o', 'json'], { env });
    assert.equal(submitted.status, 0, `${submitted.stdout}${submitted.stderr}`);
    const run = JSON.parse(submitted.stdout.slice(submitted.stdout.indexOf('{'))) as { status: WorkflowStatus };
    assert.equal(run.status.artifactRepositoryRef?.default, true);
    const node = Object.values(run.status.nodes).find((n) => n.type === 'Pod')!;
    const key = node.outputs?.artifacts?.[0]?.s3?.key ?? '';
    assert.match(key, /^from-controller-default\//, JSON.stringify(node.outputs));
    assert.ok(gunzipSync(await object(key)).includes('plain\n'));
  });

  it('prefers the workflow artifactRepositoryRef over the namespace default', async () => {
    const { status } = await harness.run(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s3-ref-}
spec:
  entrypoint: make
  artifactRepositoryRef: {key: other}
  templates:
  - name: make
    container: {image: alpine, command: [sh, -c, "echo ref > /tmp/r"]}
    outputs: {artifacts: [{name: r, path: /tmp/r}]}
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status, null, 1));
    assert.equal(status.artifactRepositoryRef?.key, 'other');
    const node = Object.values(status.nodes).find((n) => n.type === 'Pod')!;
    const key = node.outputs?.artifacts?.[0]?.s3?.key ?? '';
    assert.match(key, /^from-ref\//);
    assert.ok(gunzipSync(await object(key)).includes('ref\n'));
  });

  it("archives a step's stdout and stderr as main-logs (main.log, as it is) when the workflow asks, and a template can decline", async () => {
    const { status } = await harness.run(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s3-logs-}
spec:
  entrypoint: main
  archiveLogs: true
  templates:
  - name: main
    steps:
    - - {name: talk, template: talk}
      - {name: quiet, template: quiet}
  - name: talk
    container: {image: alpine, command: [sh, -c, "echo to-stdout; echo to-stderr >&2; echo out > /tmp/o"]}
    outputs: {artifacts: [{name: o, path: /tmp/o}]}
  - name: quiet
    archiveLocation: {archiveLogs: false}
    container: {image: alpine, command: [sh, -c, "echo unkept"]}
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status, null, 1));
    const talk = Object.values(status.nodes).find((n) => n.displayName === 'talk')!;
    assert.deepEqual(
      talk.outputs?.artifacts?.map((a) => a.name),
      ['o', 'main-logs'],
    );
    const logs = talk.outputs!.artifacts!.find((a) => a.name === 'main-logs')!;
    assert.match(logs.s3?.key ?? '', new RegExp(`^from-namespace/.*/${talk.id}.*/main\\.log$|^from-namespace/.*/main\\.log$`));
    const text = (await object(logs.s3!.key!)).toString();
    assert.deepEqual(text.split('\n').filter(Boolean).sort(), ['to-stderr', 'to-stdout']);
    const quiet = Object.values(status.nodes).find((n) => n.displayName === 'quiet')!;
    assert.equal(quiet.outputs?.artifacts, undefined, 'archiveLocation.archiveLogs: false overrules spec.archiveLogs');
  });

  it("archives every pod's logs when the repository says archiveLogs: true, whatever the template says", async () => {
    const { status } = await harness.run(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s3-repo-logs-}
spec:
  entrypoint: quiet
  artifactRepositoryRef: {key: logging}
  templates:
  - name: quiet
    archiveLocation: {archiveLogs: false}
    container: {image: alpine, command: [sh, -c, "echo kept anyway"]}
`);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status, null, 1));
    const node = Object.values(status.nodes).find((n) => n.type === 'Pod')!;
    const key = node.outputs?.artifacts?.find((a) => a.name === 'main-logs')?.s3?.key ?? '';
    assert.match(key, /^from-logging\/.*\/main\.log$/);
    assert.equal((await object(key)).toString(), 'kept anyway\n');
  });
});
