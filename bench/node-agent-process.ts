// The test environment's node agent in a process of its own, so that a benchmark measures the
// controller's memory and CPU without the agent's: prints `ready` once the node is registered, and
// stops (deleting its node and temporary files) on SIGTERM.
//
//   node dist/bench/node-agent-process.js <kubeconfig> <executor image>
import { localizePod } from '../src/runtime/local/localize-pod.js';
import { REPO_ROOT } from '../test/env/kube/index.js';
import { startNodeAgent } from '../test/env/node-agent/start-node-agent.js';

const [kubeconfigPath, executorImage] = process.argv.slice(2);
if (!kubeconfigPath || !executorImage) throw new Error('usage: node-agent-process.js <kubeconfig> <executor image>');
const agent = await startNodeAgent({
  kubeconfigPath,
  localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage }),
});
process.once('SIGTERM', () => {
  agent.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`node agent stop: ${(error as Error).message}`);
      process.exit(1);
    },
  );
});
process.stdout.write('ready\n');
