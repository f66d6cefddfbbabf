import type { Artifact } from '../../spec/model/workflow.js';
import type { StorageLocation } from '../../artifacts/index.js';

/**
 * What Skiff's executor (`skiff executor init|wait`) is told about its pod, as Argo's executor
 * reads the template from its `ARGO_TEMPLATE` env: one JSON document in one env variable, so the
 * pod spec alone says everything the pod does, locally or on a cluster.
 */
export interface ExecutorPlan {
  /** Where Secrets named by artifact locations are read (mounted under `SECRETS_DIR/<name>/<key>`). */
  namespace: string;
  /** The template's archive location: the repository's storage with this pod's key. */
  archiveLocation?: StorageLocation;
  /**
   * Archive each user container's log (Argo's `archiveLogs`): wait saves the wrapper's copy as
   * `<container>.log` under the archive location and reports it as the `<container>-logs` artifact.
   */
  archiveLogs?: boolean;
  /** Input artifacts to load, located (`from` resolved), each placed at `INPUTS_DIR/<name>`. */
  inputs: Artifact[];
  /** A script template's source, staged at `SCRIPT_PATH`. */
  script?: string;
  /** Output parameters read from `OUTPUTS_DIR/parameters/<name>`, copied there by the main wrapper. */
  parameters: Array<{ name: string; path: string }>;
  /** Output artifacts saved from `OUTPUTS_DIR/artifacts/<name>`. */
  artifacts: Artifact[];
  /** Whether the main container's stdout is the node's `outputs.result`. */
  result: boolean;
  /**
   * A containerSet's containers, in order: wait waits for every one's exit code and reports
   * each. Absent for a pod with one user container, `main`.
   */
  containers?: string[];
  /**
   * Where wait files its report besides the run volume (a cluster's pods): its own termination
   * message, which the kubelet publishes with the container's end (see report-message.ts). A
   * report too long for it goes to `overflow`, in the run's artifact repository, and the message
   * points at it. Absent locally, where the runtime reads the run volume.
   */
  report?: { terminationMessagePath: string; overflow?: StorageLocation /** Bytes the message may have (default 4096). */; limit?: number };
  /** init copies the executor image's static busybox (`from`) into the pod (`to`), for images without a shell. */
  busybox?: { from: string; to: string };
}

/** How one container of a containerSet ended, as the wait container found it. */
export interface ContainerReport {
  name: string;
  exitCode: number;
  /** The dependency whose failure kept this container from running its command. */
  blockedBy?: string;
}

/** What the wait container reports: the node's outputs, or why they could not be collected. */
export interface ExecutorReport {
  parameters?: Array<{ name: string; value: string }>;
  result?: string;
  artifacts?: Artifact[];
  /** The main container's exit code, as the wrapper recorded it. */
  exitCode?: number;
  /** A containerSet's containers, each with its exit code. */
  containers?: ContainerReport[];
  error?: string;
}

export const PLAN_ENV = 'SKIFF_EXECUTOR_PLAN';
/** Env telling the executor where to write its termination message (Kubernetes does not). */
export const TERMINATION_ENV = 'SKIFF_TERMINATION_MESSAGE_PATH';

/** The pod's shared emptyDir: staged script, the main container's stdout and exit code, output copies. */
export const RUN_VOLUME = 'argo-run';
export const RUN_DIR = '/argo/run';
export const SCRIPT_PATH = `${RUN_DIR}/staging/script`;
/** main's environment variable with a script's source, which the wrapper writes to SCRIPT_PATH and unsets. */
export const SCRIPT_ENV = 'SKIFF_SCRIPT';
export const MAIN_DIR = `${RUN_DIR}/ctr/main`;
export const OUTPUTS_DIR = `${RUN_DIR}/outputs`;
/** The wait container's report (an `ExecutorReport`). */
export const REPORT_PATH = `${RUN_DIR}/report.json`;

/**
 * The artifact transfer under way in this pod (a `TransferProgress`), rewritten about once a
 * second while an artifact is loaded or saved and removed when it is done: what `skiff submit`
 * shows beside a step that is moving a large artifact.
 */
export const PROGRESS_PATH = `${RUN_DIR}/progress.json`;

/** An artifact transfer as the executor reports it: what, which way, how far. */
export interface TransferProgress {
  direction: 'load' | 'save';
  artifact: string;
  /** Bytes moved so far: stored bytes (compressed, for a tarball). */
  bytes: number;
  /** Epoch milliseconds. */
  startedAt: number;
  updatedAt: number;
}

/** Input artifacts are loaded here by init, then mounted (subPath) at their paths in main. */
export const INPUTS_VOLUME = 'input-artifacts';
export const INPUTS_DIR = '/argo/inputs/artifacts';

/** Secrets the executor needs (S3 keys, git credentials), one volume each. */
export const SECRETS_DIR = '/argo/secrets';

/**
 * Where Skiff's executor image keeps a static busybox: init copies it into the pod's `skiff-bin`
 * volume (`POD_BUSYBOX`), from where the user's containers run the wrapper, needing no shell.
 */
export const EXECUTOR_BUSYBOX = '/skiff/busybox';
export const POD_BIN_VOLUME = 'skiff-bin';
export const POD_BIN_DIR = '/argo/bin';
export const POD_BUSYBOX = `${POD_BIN_DIR}/busybox`;

/** The executor's image; the local runtime runs it as this project's `bin/skiff.js`. */
export const EXECUTOR_IMAGE = 'skiff/executor';
