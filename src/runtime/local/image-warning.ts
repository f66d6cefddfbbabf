/**
 * Images whose programs a plain Linux host has too (a shell, coreutils, python3, ...). The local
 * runtime pulls no image: the host's tools run in its place, which is faithful only for these.
 */
const PLAIN_IMAGES = new Set([
  'alpine',
  'busybox',
  'debian',
  'ubuntu',
  'centos',
  'fedora',
  'rockylinux',
  'almalinux',
  'amazonlinux',
  'bash',
  'buildpack-deps',
  'python',
  'node',
  'golang',
  'ruby',
  'perl',
  'php',
  'openjdk',
  'eclipse-temurin',
]);

/**
 * A warning for an image that is not a plain OS or language image, or undefined.
 *
 * @example imageWarning('docker/whalesay:latest') // 'image "docker/whalesay:latest" is not a plain OS or language image: ...'
 */
export function imageWarning(image: string | undefined): string | undefined {
  if (!image) return undefined;
  if (PLAIN_IMAGES.has(baseName(image))) return undefined;
  return `image "${image}" is not a plain OS or language image: images are not pulled here, the host's tools run in its place, so programs only that image has are missing`;
}

/** `docker.io/library/python:3.12-slim@sha256:...` → `python`. */
export function baseName(image: string): string {
  let name = image.split('@')[0]!;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  const parts = name.split('/');
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) parts.shift();
  if (parts.length === 2 && parts[0] === 'library') parts.shift();
  return parts.join('/');
}
