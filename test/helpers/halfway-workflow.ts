/**
 * A workflow whose first step succeeds and whose second fails (exit 3): what `retry` and
 * `resubmit --memoized` are for, which keep the first and run the second again. `failing` names
 * the second step's template (and so appears in its pod's name).
 */
export function halfwayWorkflow(generateName = 'halfway', failing = 'fail'): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: ${generateName}-
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: first
        template: ok
    - - name: second
        template: ${failing}
  - name: ok
    container: {image: busybox, command: [sh, -c, "echo first ran"]}
  - name: ${failing}
    container: {image: busybox, command: [sh, -c, "exit 3"]}
`;
}
