// Skiff's Helm chart, checked the ways a cluster would check it: helm lint and helm template with
// every values file under the chart's ci/, kubeconform against Kubernetes' own schemas (offline,
// strict), and a server-side dry-run apply of everything rendered to the real API server.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, startKubeApiServer, type KubeEnv } from '../env/kube/index.js';
import { runCommand } from '../env/tools/run-command.js';
import { helmPath, kubeconformPath, kubeSchemas } from '../env/tools/tool-paths.js';
import { DEFAULT_REPOSITORY_ENV, parseDefaultArtifactRepository } from '../../src/cli/default-artifact-repository.js';

const CHART = join(REPO_ROOT, 'charts', 'skiff');
const VALUES = readdirSync(join(CHART, 'ci'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const RELEASE_NAMESPACE = 'skiff-system';

async function render(values: string): Promise<string> {
  const result = await runCommand(helmPath(), ['template', 'skiff', CHART, '--namespace', RELEASE_NAMESPACE, '-f', join(CHART, 'ci', values)]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

describe("Skiff's Helm chart", () => {
  let kube: KubeEnv;
  let kc: KubeConfig;

  before(async () => {
    kube = await startKubeApiServer({ crdPaths: [join(CHART, 'crds')] });
    kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
  });
  after(() => kube?.stop());

  test('has values files to test with', () => assert.ok(VALUES.length >= 2, VALUES.join()));

  test('lints cleanly with every ci/ values file', async () => {
    for (const values of VALUES) {
      const result = await runCommand(helmPath(), ['lint', CHART, '--strict', '-f', join(CHART, 'ci', values)]);
      assert.equal(result.code, 0, `${values}\n${result.stdout}${result.stderr}`);
    }
  });

  test('refuses to render without GitHub credentials, saying which value is missing', async () => {
    const result = await runCommand(helmPath(), ['template', 'skiff', CHART]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /github\.appId is required/);
  });

  test('renders the controller alone without GitHub credentials; refuses an unknown scope or resourceStepsAs', async () => {
    const alone = parseAllDocuments(await render('controller-values.yaml'))
      .map((d) => d.toJS() as KubernetesObject | null)
      .filter((o): o is KubernetesObject => o !== null);
    const deployments = alone.filter((o) => o.kind === 'Deployment') as Array<
      KubernetesObject & { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } }
    >;
    assert.deepEqual(
      deployments.map((d) => d.metadata?.name),
      ['skiff-controller'],
    );
    assert.deepEqual(deployments[0]!.spec.template.spec.containers[0]!.args.slice(0, 2), ['controller', '--namespace=team-a']);
    // The default artifact repository reaches the controller as the YAML it reads.
    const env = (deployments[0]!.spec.template.spec.containers[0] as unknown as { env: Array<{ name: string; value?: string }> }).env;
    const repository = env.find((e) => e.name === DEFAULT_REPOSITORY_ENV)?.value;
    assert.deepEqual(parseDefaultArtifactRepository(repository, DEFAULT_REPOSITORY_ENV), {
      s3: {
        bucket: 'runs',
        endpoint: 'minio.minio.svc:9000',
        insecure: true,
        accessKeySecret: { name: 'minio-cred', key: 'accesskey' },
        secretKeySecret: { name: 'minio-cred', key: 'secretkey' },
      },
    });
    assert.ok(!alone.some((o) => o.kind === 'Secret' || o.kind === 'Service'));
    // Another instance id is for a controller alone; skiff serve on the cluster labels its runs skiff.
    assert.equal(
      (await runCommand(helmPath(), ['template', 'skiff', CHART, '-f', join(CHART, 'ci', 'controller-values.yaml'), '--set', 'instanceId=team-a'])).code,
      0,
    );
    const mismatched = await runCommand(helmPath(), [
      'template',
      'skiff',
      CHART,
      '-f',
      join(CHART, 'ci', 'multi-namespace-values.yaml'),
      '--set',
      'instanceId=team-a',
    ]);
    assert.notEqual(mismatched.code, 0);
    assert.match(mismatched.stderr, /instanceId must be skiff while serve.cluster is on/);
    for (const [flag, message] of [
      ['controller.scope=everywhere', /controller.scope must be namespace or cluster/],
      ['controller.resourceStepsAs=root', /controller.resourceStepsAs must be service-account or controller/],
    ] as const) {
      const result = await runCommand(helmPath(), ['template', 'skiff', CHART, '-f', join(CHART, 'ci', 'controller-values.yaml'), '--set', flag]);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, message);
    }
  });

  test('renders manifests that Kubernetes 1.36 schemas accept (strict: no unknown fields)', async () => {
    const schemas = kubeSchemas();
    for (const values of VALUES) {
      const manifests = await render(values);
      const result = await runCommand(kubeconformPath(), [...schemas.kubeconformArgs({ strict: true }), '-summary', '-'], { input: manifests });
      assert.equal(result.code, 0, `${values}\n${result.stdout}${result.stderr}`);
      assert.match(result.stdout, /Invalid: 0, Errors: 0/);
    }
  });

  test('every rendered object passes a server-side dry-run apply on the real API server', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const objects = kc.makeApiClient(KubernetesObjectApi);
    for (const namespace of [RELEASE_NAMESPACE, 'team-a', 'team-b']) await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (const values of VALUES) {
      const documents = parseAllDocuments(await render(values))
        .map((d) => d.toJS() as KubernetesObject | null)
        .filter((o): o is KubernetesObject => o !== null);
      assert.ok(documents.some((o) => o.kind === 'Deployment'));
      for (const object of documents) {
        object.metadata = { ...object.metadata, namespace: object.metadata?.namespace ?? (object.kind?.startsWith('Cluster') ? undefined : RELEASE_NAMESPACE) };
        const applied = await objects.patch(object, undefined, 'All', 'skiff-chart-test', true, PatchStrategy.ServerSideApply);
        assert.equal(applied.kind, object.kind, `${values}: ${object.kind}/${object.metadata?.name}`);
      }
    }
    // A dry run stores nothing.
    const configMaps = await core.listNamespacedConfigMap({ namespace: RELEASE_NAMESPACE });
    assert.equal(configMaps.items.filter((c) => c.metadata?.name === 'skiff').length, 0);
  });
});
