import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseName, imageWarning } from '../../../src/runtime/local/image-warning.js';

describe('imageWarning', () => {
  it('accepts plain OS and language images however they are spelled', () => {
    for (const image of [
      'alpine',
      'alpine:3.7',
      'docker.io/library/python:3.12-slim',
      'python:alpine3.23',
      'busybox@sha256:abc',
      'registry.local:5000/library/ubuntu:22.04',
    ]) {
      assert.equal(imageWarning(image), undefined, image);
    }
  });

  it('warns for any other image', () => {
    assert.match(imageWarning('docker/whalesay:latest')!, /not a plain OS or language image/);
    assert.match(imageWarning('argoproj/argosay:v2')!, /host's tools/);
  });

  it('finds the base name', () => {
    assert.equal(baseName('quay.io/org/tool:1'), 'org/tool');
    assert.equal(baseName('library/debian'), 'debian');
  });
});
