// A program that starts an API server and a real node, runs a pod, prints both directories and
// waits forever: the stand-in for a test process that gets killed mid-run, so a test can check
// what such a death leaves on the host (test/e2e/kube-node.test.ts).
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startKubeApiServer } from '../kube/start-kube-api-server.js';
import { startKubeNode } from './start-kube-node.js';

const kube = await startKubeApiServer({ realNode: true });
const node = await startKubeNode({ kube });
const kc = new KubeConfig();
kc.loadFromFile(node.kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);
await core.createNamespacedPod({
  namespace: 'default',
  body: {
    metadata: { name: 'held' },
    spec: { nodeName: node.nodeName, restartPolicy: 'Never', containers: [{ name: 'main', image: node.images.busybox, command: ['sleep', '3600'] }] },
  },
});
for (;;) {
  const pod = await core.readNamespacedPod({ name: 'held', namespace: 'default' });
  if (pod.status?.phase === 'Running') break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
process.stdout.write(`${JSON.stringify({ workDir: node.workDir, kubeWorkDir: kube.workDir })}\n`);
setInterval(() => undefined, 60_000);
