// Manifests shared by the sync tests: each lints clean, so any diagnostic a test sees comes from
// what the test changed.

export const CONFIG = `# which paths hold manifests, and where they go
version: 1
paths: [workflows, cluster]
exclude: ['**/drafts/**']
namespace: ci
namespaces: [ci, nightly]
prune: true
`;

export function workflowTemplate(name: string, message = 'hello', namespace?: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: ${name}${namespace ? `\n  namespace: ${namespace}` : ''}
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine:3.20
        command: [echo, ${message}]
`;
}

export const ARTIFACT_REPOSITORIES = `apiVersion: v1
kind: ConfigMap
metadata:
  name: artifact-repositories
  annotations:
    workflows.argoproj.io/default-artifact-repository: default-v1
data:
  default-v1: |
    s3:
      bucket: my-bucket
      endpoint: minio:9000
      insecure: true
`;

export const WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: build-
spec:
  workflowTemplateRef:
    name: build
`;

export const CRON_WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
  namespace: nightly
spec:
  schedule: "0 3 * * *"
  workflowSpec:
    entrypoint: main
    templates:
      - name: main
        container:
          image: alpine:3.20
          command: [date]
`;

export const CLUSTER_TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: ClusterWorkflowTemplate
metadata:
  name: shared
spec:
  templates:
    - name: say
      container:
        image: alpine:3.20
        command: [echo, shared]
`;

export const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: s3-credentials
stringData:
  accesskey: AKIA-not-a-real-key
`;

/** A workflow whose step names a template that does not exist: a lint error on line 11. */
export const LINT_ERROR = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: broken-
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: one
            template: missing
`;
