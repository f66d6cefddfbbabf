// Smoke test of the installed helm and kubeconform, fully offline: a tiny chart made here is linted,
// rendered, and its manifests validated against the Kubernetes JSON schemas the installer extracted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCommand } from '../env/tools/run-command.js';
import { helmPath, kubeconformPath, kubeSchemas } from '../env/tools/tool-paths.js';

const CHART: Record<string, string> = {
  'Chart.yaml': `apiVersion: v2
name: demo
description: A tiny chart for the helm smoke test
type: application
version: 0.1.0
appVersion: "1.0.0"
`,
  'values.yaml': `replicas: 2
image:
  repository: ghcr.io/example/skiff
  tag: "0.1.0"
`,
  'templates/_helpers.tpl': `{{- define "demo.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
`,
  'templates/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
  labels:
    {{- include "demo.labels" . | nindent 4 }}
data:
  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
  image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
`,
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    {{- include "demo.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      {{- include "demo.labels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "demo.labels" . | nindent 8 }}
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - containerPort: 8080
`,
};

let scratch: string;
let helmEnv: NodeJS.ProcessEnv;

async function writeChart(dir: string, files: Record<string, string>): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const helm = (args: string[]) => runCommand(helmPath(), args, { env: helmEnv, cwd: scratch });

async function kubeconform(manifest: string, extraArgs: string[] = []) {
  const result = await runCommand(kubeconformPath(), [...kubeSchemas().kubeconformArgs({ strict: true }), '-output', 'json', '-summary', ...extraArgs, '-'], {
    input: manifest,
  });
  const report = JSON.parse(result.stdout) as {
    resources?: { kind: string; name: string; status: string; msg: string }[];
    summary: { valid: number; invalid: number; errors: number; skipped: number };
  };
  return { ...result, report };
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'skiff-helm-smoke-'));
  // Keep helm away from the developer's ~/.config/helm and ~/.cache/helm.
  helmEnv = {
    PATH: process.env.PATH,
    HOME: scratch,
    HELM_CACHE_HOME: join(scratch, 'helm/cache'),
    HELM_CONFIG_HOME: join(scratch, 'helm/config'),
    HELM_DATA_HOME: join(scratch, 'helm/data'),
  };
});

after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('helm lint passes a good chart and fails a broken one', async () => {
  const good = await writeChart(join(scratch, 'good'), CHART);
  const ok = await helm(['lint', good]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);

  const broken = await writeChart(join(scratch, 'broken'), {
    ...CHART,
    'templates/configmap.yaml': CHART['templates/configmap.yaml']!.replace('{{ .Release.Name }}-settings', '{{ if }}'),
  });
  const bad = await helm(['lint', broken]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout + bad.stderr, /1 chart\(s\) failed/);
});

test('helm template renders values, overrides and the pinned Kubernetes version', async () => {
  const chart = await writeChart(join(scratch, 'render'), CHART);
  const out = await helm(['template', 'skiff', chart, '--namespace', 'ci', '--set', 'replicas=3']);
  assert.equal(out.code, 0, out.stderr);
  const docs = parseAllDocuments(out.stdout)
    .map((d) => d.toJS() as Record<string, any>)
    .filter(Boolean);
  assert.deepEqual(docs.map((d) => d.kind).sort(), ['ConfigMap', 'Deployment']);
  const deployment = docs.find((d) => d.kind === 'Deployment')!;
  assert.equal(deployment.metadata.name, 'skiff');
  assert.equal(deployment.spec.replicas, 3);
  assert.equal(deployment.spec.template.spec.containers[0].image, 'ghcr.io/example/skiff:0.1.0');
  const settings = docs.find((d) => d.kind === 'ConfigMap')!;
  // The installer links helm with the Kubernetes version the tests' kube-apiserver runs.
  assert.equal(settings.data.kubeVersion, `v${kubeSchemas().kubernetesVersion}`);
});

test('kubeconform validates rendered manifests offline and catches schema errors', async () => {
  const chart = await writeChart(join(scratch, 'validate'), CHART);
  const rendered = await helm(['template', 'skiff', chart]);
  assert.equal(rendered.code, 0, rendered.stderr);

  const valid = await kubeconform(rendered.stdout);
  assert.equal(valid.code, 0, valid.stdout + valid.stderr);
  assert.deepEqual(valid.report.summary, { valid: 2, invalid: 0, errors: 0, skipped: 0 });

  const broken = rendered.stdout.replace(/replicas: 2/, 'replicas: "two"').replace('containerPort: 8080', 'containerPort: 8080\n              hostPorts: 1');
  const invalid = await kubeconform(broken);
  assert.equal(invalid.code, 1);
  assert.equal(invalid.report.summary.invalid, 1);
  const msg = invalid.report.resources?.find((r) => r.kind === 'Deployment')?.msg ?? '';
  assert.match(msg, /replicas/);
  assert.match(msg, /hostPorts/, 'strict mode rejects unknown fields');
});

test('kubeconform reports a kind it has no schema for, unless told to skip it', async () => {
  const workflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: hello
spec:
  entrypoint: main
`;
  const missing = await kubeconform(workflow);
  assert.equal(missing.code, 1);
  assert.equal(missing.report.summary.errors, 1);
  const skipped = await kubeconform(workflow, ['-ignore-missing-schemas']);
  assert.equal(skipped.code, 0);
  assert.equal(skipped.report.summary.skipped, 1);
});
