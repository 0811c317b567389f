import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  distroPythonManaged,
  imageName,
  imageShips,
  nodeOfImage,
  pythonInstalledByRun,
  pythonOfImage,
} from '../../src/knowledge/images.js';
import { nodeSatisfies, pythonSatisfies } from '../../src/knowledge/versions.js';
import {
  heavyInstalledBy,
  heavyOfDistroPackage,
  pythonPackagesOfImage,
} from '../../src/knowledge/heavy-deps.js';

test('PEP 440 specifiers against Python lines and releases', () => {
  const cases: [string, string, boolean | undefined][] = [
    ['3.9', '>=3.10', false],
    ['3.10', '>=3.10', true],
    ['3.11', '>=3.11.4', true],
    ['3.11.2', '>=3.11.4', false],
    ['3.12', '~=3.11', true],
    ['3.12', '~=3.11.0', false],
    ['3.11', '==3.11.*', true],
    ['3.12', '==3.11.*', false],
    ['3.12', '>=3.9,<3.12', false],
    ['3.12', '!=3.12.*', false],
    ['3.12', 'banana', undefined],
  ];
  for (const [v, spec, expected] of cases) assert.equal(pythonSatisfies(v, spec), expected, `${v} ${spec}`);
});

test('npm ranges against Node lines and releases', () => {
  assert.equal(nodeSatisfies('18', '>=20'), false);
  assert.equal(nodeSatisfies('20', '^20.11.0'), true);
  assert.equal(nodeSatisfies('20.9.0', '^20.11.0'), false);
  assert.equal(nodeSatisfies('22', '20.x || 22.x'), true);
  assert.equal(nodeSatisfies('22', 'not a range'), undefined);
});

test('base image facts: Python and Node versions, shipped tools, name splitting', () => {
  assert.deepEqual(imageName('registry.local:5000/team/python:3.11-slim@sha256:abc'), {
    name: 'python',
    path: 'team/python',
    tag: '3.11-slim',
    official: false,
  });
  assert.equal(imageName('docker.io/library/python:3.11')?.official, true);
  assert.equal(imageName('python:3.11')?.official, true);
  // Only the official image's tags say which Python it has; a team's image of the same name says nothing.
  assert.equal(pythonOfImage('registry.local:5000/team/python:3.11-slim'), undefined);
  assert.equal(pythonOfImage('python:3')?.floating, true);
  assert.equal(pythonOfImage('python:3.12.1-slim')?.floating, undefined);
  assert.equal(pythonOfImage('python:3.9-slim-bullseye')?.version, '3.9');
  assert.equal(pythonOfImage('docker.io/library/debian:bookworm-slim')?.version, '3.11');
  assert.equal(pythonOfImage('ubuntu:20.04')?.version, '3.8');
  assert.equal(pythonOfImage('alpine:3.20')?.version, '3.12');
  assert.equal(pythonOfImage('nvcr.io/nvidia/l4t-base:r32.7.1')?.version, '3.6');
  assert.equal(pythonOfImage('mycorp/base:1'), undefined);
  assert.equal(nodeOfImage('node:18.19-alpine')?.version, '18.19');
  assert.equal(
    pythonInstalledByRun('apt-get update && apt-get install -y python3.11 python3.11-venv'),
    '3.11',
  );
  assert.equal(pythonInstalledByRun('uv python install 3.12'), '3.12');
  assert.equal(imageShips('python:3.12-slim', 'curl'), false);
  assert.equal(imageShips('python:3.12', 'curl'), true);
  assert.equal(imageShips('node:20-alpine', 'wget'), true);
  assert.equal(imageShips('node:20-alpine', 'curl'), false);
  assert.equal(imageShips('gcr.io/distroless/python3-debian12', 'sh'), false);
  assert.equal(imageShips('mycorp/base:1', 'curl'), undefined);
});

test('which distro Pythons PEP 668 marks externally managed, by image and tag', () => {
  const cases: [string, boolean | undefined][] = [
    ['debian:bookworm-slim', true],
    ['debian:12.5-slim', true],
    ['debian:trixie', true],
    ['debian', true],
    ['debian:bullseye', false],
    ['debian:11-slim', false],
    ['ubuntu:24.04', true],
    ['ubuntu:23.04', true],
    ['ubuntu:noble-20240101', true],
    ['ubuntu:22.04', false],
    ['ubuntu:jammy', false],
    ['alpine:3.19', true],
    ['alpine:3.20.3', true],
    ['alpine:3.18.4', false],
    ['alpine:3', undefined],
    ['node:22-bookworm-slim', true],
    ['node:20-alpine3.19', true],
    ['golang:1.22-alpine3.18', false],
    ['eclipse-temurin:21-jre-noble', true],
    // A floating tag of a language image may be frozen on an old release (node:16-alpine is Alpine 3.18).
    ['node:16-alpine', undefined],
    ['node:20', undefined],
    ['python:3.12-slim-bookworm', false],
    ['pypy:3.10-bookworm', false],
    ['ghcr.io/acme/debian:12', undefined],
    ['nvidia/cuda:12.4.1-runtime-ubuntu24.04', undefined],
    ['fedora:40', undefined],
  ];
  for (const [image, managed] of cases) assert.equal(distroPythonManaged(image)?.managed, managed, image);
});

test('what a base Python already holds, and what a pip install pulls in', () => {
  assert.deepEqual(pythonPackagesOfImage('pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime'), ['torch']);
  assert.deepEqual(pythonPackagesOfImage('docker.io/pytorch/pytorch'), ['torch']);
  assert.deepEqual(pythonPackagesOfImage('nvcr.io/nvidia/pytorch:24.01-py3'), ['torch']);
  assert.deepEqual(pythonPackagesOfImage('tensorflow/tensorflow:2.16.1-gpu'), ['tensorflow']);
  assert.equal(pythonPackagesOfImage('ghcr.io/acme/pytorch:1'), undefined);
  assert.equal(pythonPackagesOfImage('python:3.12'), undefined);
  assert.equal(heavyOfDistroPackage('python3-numpy'), 'numpy');
  assert.equal(heavyOfDistroPackage('py3-numpy'), 'numpy');
  assert.equal(heavyOfDistroPackage('python3-opencv'), 'opencv');
  assert.equal(heavyOfDistroPackage('python3-sklearn'), 'scikit-learn');
  assert.equal(heavyOfDistroPackage('python3-venv'), undefined);
  assert.equal(heavyOfDistroPackage('libnumpy-dev'), undefined);
  assert.deepEqual(heavyInstalledBy('torchvision', true), ['torchvision', 'torch', 'numpy']);
  assert.deepEqual(heavyInstalledBy('torchvision', false), ['torchvision']);
  assert.deepEqual(heavyInstalledBy('opencv-python-headless', true), ['opencv', 'numpy', 'opencv']);
  assert.deepEqual(heavyInstalledBy('Flask', true), ['flask']);
});
