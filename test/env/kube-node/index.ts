// A real Kubernetes node for tests (kubelet + containerd + runc on this machine), and its images.
export { NODE_LOCK_PATH, NODE_STATE_PATH, startKubeNode, type KubeNode, type KubeNodeOptions } from './start-kube-node.js';
export type { HostState } from './host-state.js';
export { IMAGE_BUSYBOX_PATH, IMAGE_NODE_PATH, IMAGE_SKIFF_BIN } from '../images/node-images.js';
export { startClaimBinder, type ClaimBinder, type ClaimBinderOptions } from './claim-binder.js';
