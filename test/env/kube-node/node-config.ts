import { join } from 'node:path';

/** Every path of one node, all below its work directory. */
export interface NodePaths {
  readonly workDir: string;
  readonly containerdConfig: string;
  readonly containerdRoot: string;
  readonly containerdState: string;
  readonly containerdSocket: string;
  readonly cniConfDir: string;
  readonly cniDataDir: string;
  readonly kubeletConfig: string;
  readonly kubeletRoot: string;
  readonly podLogs: string;
}

export function nodePaths(workDir: string): NodePaths {
  return {
    workDir,
    containerdConfig: join(workDir, 'containerd.toml'),
    containerdRoot: join(workDir, 'containerd', 'root'),
    containerdState: join(workDir, 'containerd', 'state'),
    containerdSocket: join(workDir, 'containerd', 'containerd.sock'),
    cniConfDir: join(workDir, 'cni', 'net.d'),
    cniDataDir: join(workDir, 'cni', 'ipam'),
    kubeletConfig: join(workDir, 'kubelet.yaml'),
    kubeletRoot: join(workDir, 'kubelet'),
    podLogs: join(workDir, 'pod-logs'),
  };
}

/** The bridge and pod subnet of the test node (an address range no Debian default uses). */
export const POD_NETWORK = { bridge: 'skiff-cni0', subnet: '10.244.77.0/24', gateway: '10.244.77.1' } as const;

/**
 * containerd 1.6's configuration (format version 2). What each setting is for:
 * - restrict_oom_score_adj: these machines lack CAP_SYS_RESOURCE, and runc fails to create a sandbox
 *   when asked for the negative OOM score the kubelet wants.
 * - SystemdCgroup false: no systemd here; the kubelet uses the cgroupfs driver too.
 * - disable_apparmor, disable_hugetlb_controller: neither is available on these machines.
 * - netns_mounts_under_state_dir: the pods' network namespaces stay below the work directory.
 * - own root, state, socket, opt and CNI paths, so nothing of a system containerd is touched.
 */
export function containerdConfig(paths: NodePaths, sandboxImage: string): string {
  const q = JSON.stringify;
  return `version = 2
root = ${q(paths.containerdRoot)}
state = ${q(paths.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(paths.containerdSocket)}

[ttrpc]
  address = ${q(`${paths.containerdSocket}.ttrpc`)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(paths.workDir, 'containerd', 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(sandboxImage)}
  restrict_oom_score_adj = true
  disable_apparmor = true
  disable_hugetlb_controller = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${q(paths.cniConfDir)}
`;
}

/**
 * A bridge network inside this machine: pods get an address in POD_NETWORK.subnet on a bridge whose
 * gateway address is the host's. No masquerading (it would need iptables rules): pods reach this
 * machine, not the outside.
 */
export function cniConfig(paths: NodePaths): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'skiff-test',
      plugins: [
        {
          type: 'bridge',
          bridge: POD_NETWORK.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: paths.cniDataDir,
            ranges: [[{ subnet: POD_NETWORK.subnet, gateway: POD_NETWORK.gateway }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'loopback' },
      ],
    },
    null,
    2,
  )}\n`;
}

export interface KubeletConfigInput {
  readonly paths: NodePaths;
  readonly port: number;
  readonly healthzPort: number;
  readonly clientCaFile: string;
}

/**
 * The KubeletConfiguration. The kubelet refuses cgroup v1 unless told (failCgroupV1), finds no swap
 * setting it likes on a machine with swap (failSwapOn), and would evict pods and collect images on a
 * shared, nearly full test disk: eviction and image GC thresholds are set so neither happens.
 * The API server authenticates to it with a client certificate of the cluster CA; authorization is
 * AlwaysAllow because only this machine's loopback reaches it.
 */
export function kubeletConfig(input: KubeletConfigInput): string {
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: '127.0.0.1',
    port: input.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: input.healthzPort,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false }, x509: { clientCAFile: input.clientCaFile } },
    authorization: { mode: 'AlwaysAllow' },
    containerRuntimeEndpoint: `unix://${input.paths.containerdSocket}`,
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    failSwapOn: false,
    resolvConf: '',
    podLogsDir: input.paths.podLogs,
    staticPodPath: '',
    evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '0%', 'nodefs.inodesFree': '0%', 'imagefs.available': '0%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // Status and pod updates reach the API server sooner than the defaults, which suit big clusters.
    nodeStatusUpdateFrequency: '4s',
    syncFrequency: '10s',
    serializeImagePulls: false,
    protectKernelDefaults: false,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
