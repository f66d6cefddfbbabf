// The test environment's public surface: start a real kube-apiserver, and the few helpers a test
// needs around it. Everything else in this folder is an implementation detail.
export { startKubeApiServer, type KubeEnv, type KubeEnvOptions } from './start-kube-api-server.js';
export { installCrds } from './install-crds.js';
export { ensureKubeBinaries, REPO_ROOT } from './kube-binaries.js';
export { startSkiffKube } from './start-skiff-kube.js';
