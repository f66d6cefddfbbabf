/**
 * What the rest of Skiff may use of the local runtime besides the runtime itself (loaded on
 * demand from create-local-runtime.ts, since most commands need none of it): reading a pod's
 * transfer progress, ending what a dead driver left running, and the confinement of local
 * artifact repositories. Everything else here is the runtime's own.
 */
export { LocalRepositoryRoots, localRepositoryRootsFromEnv } from './local-repository-roots.js';
export { readTransferProgress } from './read-transfer-progress.js';
export { killTaggedSandboxes, runTagPrefix } from './sandbox-tags.js';
