// Images for the test environment's real node, built without a registry or a container engine by
// the builder `npm run image` uses (build/image/).
export { buildNodeImages, IMAGE_BUSYBOX_PATH, IMAGE_NODE_PATH, IMAGE_SKIFF_BIN, type BuiltImage, type NodeImages } from './node-images.js';
export { writeLayer, writeOciArchive, type ImageRuntimeConfig, type LayerFile } from '../../../build/image/oci-archive.js';
