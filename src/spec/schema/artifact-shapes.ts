import { configMapKeySelector, secretKeySelector } from './kubernetes-shapes.js';
import { arrayOf, boolean, integer, object, oneOf, string, stringMap, type Shape } from './shape.js';

// The shapes of Argo's artifacts and artifact repositories, field for field as Argo's Go API
// types define them: where an artifact is (S3, git, http, ...), how it is archived and collected,
// and the repositories an `artifact-repositories` ConfigMap names.

/** Argo's `Metadata`: labels and annotations for the pods Argo makes (also a template's `metadata`). */
export const metadata = object('Metadata', () => ({ annotations: stringMap, labels: stringMap }));

const s3Bucket = {
  endpoint: string,
  bucket: string,
  region: string,
  insecure: boolean,
  accessKeySecret: secretKeySelector,
  secretKeySecret: secretKeySelector,
  sessionTokenSecret: secretKeySelector,
  roleARN: string,
  useSDKCreds: boolean,
  createBucketIfNotPresent: object('CreateS3BucketOptions', () => ({ objectLocking: boolean })),
  encryptionOptions: object('S3EncryptionOptions', () => ({
    kmsKeyId: string,
    kmsEncryptionContext: string,
    enableEncryption: boolean,
    serverSideCustomerKeySecret: secretKeySelector,
  })),
  caSecret: secretKeySelector,
  addressingStyle: oneOf('', 'auto', 'path', 'virtual'),
} satisfies Record<string, Shape>;
const ossBucket = {
  endpoint: string,
  bucket: string,
  accessKeySecret: secretKeySelector,
  secretKeySecret: secretKeySelector,
  createBucketIfNotPresent: boolean,
  securityToken: string,
  useSDKCreds: boolean,
  lifecycleRule: object('OSSLifecycleRule', () => ({ markInfrequentAccessAfterDays: integer, markDeletionAfterDays: integer })),
} satisfies Record<string, Shape>;
const gcsBucket = { bucket: string, serviceAccountKeySecret: secretKeySelector } satisfies Record<string, Shape>;
const azureContainer = { endpoint: string, container: string, accountKeySecret: secretKeySelector, useSDKCreds: boolean } satisfies Record<string, Shape>;
const artifactoryAuth = { usernameSecret: secretKeySelector, passwordSecret: secretKeySelector } satisfies Record<string, Shape>;
const hdfsConfig = {
  krbCCacheSecret: secretKeySelector,
  krbKeytabSecret: secretKeySelector,
  krbUsername: string,
  krbRealm: string,
  krbConfigConfigMap: configMapKeySelector,
  krbServicePrincipalName: string,
  addresses: arrayOf(string),
  hdfsUser: string,
  dataTransferProtection: string,
} satisfies Record<string, Shape>;

const httpAuth = object('HTTPAuth', () => ({
  clientCert: object('ClientCertAuth', () => ({ clientCertSecret: secretKeySelector, clientKeySecret: secretKeySelector })),
  oauth2: object('OAuth2Auth', () => ({
    clientIDSecret: secretKeySelector,
    clientSecretSecret: secretKeySelector,
    tokenURLSecret: secretKeySelector,
    scopes: arrayOf(string),
    endpointParams: arrayOf(object('OAuth2EndpointParam', () => ({ key: string, value: string }), ['key'])),
  })),
  basicAuth: object('BasicAuth', () => ({ usernameSecret: secretKeySelector, passwordSecret: secretKeySelector })),
}));

/** Where an artifact lives; inlined into Artifact and used alone as `archiveLocation`. */
const artifactLocationFields = (): Record<string, Shape> => ({
  archiveLogs: boolean,
  s3: object('S3Artifact', () => ({ ...s3Bucket, key: string })),
  git: object('GitArtifact', () => ({
    repo: string,
    revision: string,
    depth: integer,
    fetch: arrayOf(string),
    usernameSecret: secretKeySelector,
    passwordSecret: secretKeySelector,
    sshPrivateKeySecret: secretKeySelector,
    insecureIgnoreHostKey: boolean,
    disableSubmodules: boolean,
    singleBranch: boolean,
    branch: string,
    insecureSkipTLS: boolean,
  })),
  http: object(
    'HTTPArtifact',
    () => ({
      url: string,
      headers: arrayOf(object('Header', () => ({ name: string, value: string }), ['name', 'value'])),
      auth: httpAuth,
      saveStreamViaFile: boolean,
    }),
    ['url'],
  ),
  artifactory: object('ArtifactoryArtifact', () => ({ url: string, ...artifactoryAuth }), ['url']),
  hdfs: object('HDFSArtifact', () => ({ ...hdfsConfig, path: string, force: boolean }), ['path']),
  raw: object('RawArtifact', () => ({ data: string }), ['data']),
  oss: object('OSSArtifact', () => ({ ...ossBucket, key: string })),
  gcs: object('GCSArtifact', () => ({ ...gcsBucket, key: string })),
  azure: object('AzureArtifact', () => ({ ...azureContainer, blob: string })),
  plugin: object('PluginArtifact', () => ({ name: string, configuration: string, connectionTimeoutSeconds: integer, key: string })),
});

export const artifactLocation = object('ArtifactLocation', artifactLocationFields);

const artifactGC = object('ArtifactGC', () => ({
  strategy: oneOf('', 'OnWorkflowCompletion', 'OnWorkflowDeletion', 'Never'),
  podMetadata: metadata,
  serviceAccountName: string,
}));

const archiveStrategy = object('ArchiveStrategy', () => ({
  tar: object('TarStrategy', () => ({ compressionLevel: integer })),
  none: object('NoneStrategy', () => ({})),
  zip: object('ZipStrategy', () => ({})),
}));

export const artifact = object(
  'Artifact',
  () => ({
    name: string,
    path: string,
    mode: integer,
    from: string,
    ...artifactLocationFields(),
    globalName: string,
    archive: archiveStrategy,
    optional: boolean,
    subPath: string,
    recurseMode: boolean,
    fromExpression: string,
    artifactGC,
    deleted: boolean,
  }),
  ['name'],
);

/** An artifact repository as written in an `artifact-repositories` ConfigMap entry. */
export const artifactRepository = object('ArtifactRepository', () => ({
  archiveLogs: boolean,
  s3: object('S3ArtifactRepository', () => ({ ...s3Bucket, keyFormat: string, keyPrefix: string })),
  artifactory: object('ArtifactoryArtifactRepository', () => ({ ...artifactoryAuth, repoURL: string, keyFormat: string })),
  hdfs: object('HDFSArtifactRepository', () => ({ ...hdfsConfig, pathFormat: string, force: boolean })),
  oss: object('OSSArtifactRepository', () => ({ ...ossBucket, keyFormat: string })),
  gcs: object('GCSArtifactRepository', () => ({ ...gcsBucket, keyFormat: string })),
  azure: object('AzureArtifactRepository', () => ({ ...azureContainer, blobNameFormat: string })),
  plugin: object('PluginArtifactRepository', () => ({ name: string, keyFormat: string, configuration: string })),
}));
