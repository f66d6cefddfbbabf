import type { Command } from '../cli-io.js';
import { envOf } from '../cli-io.js';
import { runExecutor } from '../../executor/run-executor.js';

/**
 * `skiff executor init|wait`: Skiff's executor, run inside a pod's init and wait containers (see
 * runtime/pod-spec/build-pod-spec.ts). Not for people, so it stays out of the top-level help.
 * bin/skiff.js reaches runExecutor without loading the CLI, which keeps a pod's start fast.
 */
export const executorCommand: Command = {
  name: 'executor',
  summary: "Skiff's in-pod executor (internal)",
  usage: 'Usage: skiff executor init|wait   (run by Skiff inside a pod; reads $SKIFF_EXECUTOR_PLAN)',
  hidden: true,
  run: (args, io) => runExecutor(args, { stdout: io.stdout, stderr: io.stderr, env: envOf(io) }),
};
