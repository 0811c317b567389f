import type { Rule } from '../engine/rule.js';
import internalError from './internal-error.js';
import pythonVersionMismatch from './python-version-mismatch.js';
import nodeVersionMismatch from './node-version-mismatch.js';
import lockfilePythonMismatch from './lockfile-python-mismatch.js';
import localRequirementBeforeCopy from './local-requirement-before-copy.js';
import hashesInconsistent from './hashes-inconsistent.js';
import unpinnedDependency from './unpinned-dependency.js';
import unusedHeavyDependency from './unused-heavy-dependency.js';
import importOutsideContext from './import-outside-context.js';
import missingFile from './missing-file.js';
import contextOutsideRepository from './context-outside-repository.js';
import copyOutsideContext from './copy-outside-context.js';
import copyFromMissingPath from './copy-from-missing-path.js';
import submoduleMismatch from './submodule-mismatch.js';
import entrypointMissing from './entrypoint-missing.js';
import entrypointNotServer from './entrypoint-not-server.js';
import healthcheckToolMissing from './healthcheck-tool-missing.js';
import pipNoTimeout from './pip-no-timeout.js';
import installFailureMasked from './install-failure-masked.js';
import externallyManagedPython from './externally-managed-python.js';
import venvShadowsBasePython from './venv-shadows-base-python.js';
import pipInvalidOption from './pip-invalid-option.js';
import unquotedVersionSpecifier from './unquoted-version-specifier.js';
import runExportNoEffect from './run-export-no-effect.js';
import baseArgNotPassed from './base-arg-not-passed.js';
import unusedEntrypointScript from './unused-entrypoint-script.js';
import fromPlatformConstant from './from-platform-constant.js';
import archSpecificDownload from './arch-specific-download.js';
import invalidSuppression from './invalid-suppression.js';
import parseError from './parse-error.js';
import baseImagePlatformMissing from './base-image-platform-missing.js';
import wheelMissingForPlatform from './wheel-missing-for-platform.js';
import portMismatch from './port-mismatch.js';
import archPin from './arch-pin.js';
import runAsNonRootMismatch from './run-as-non-root-mismatch.js';
import rwoVolumeScaling from './rwo-volume-scaling.js';
import duplicateAutoscaler from './duplicate-autoscaler.js';
import mutableTagPullPolicy from './mutable-tag-pull-policy.js';
import privilegedWorkload from './privileged-workload.js';
import ingressTlsMismatch from './ingress-tls-mismatch.js';
import imageNotBuilt from './image-not-built.js';
import invalidImageReference from './invalid-image-reference.js';
import registryDrift from './registry-drift.js';
import buildkitRegistryMismatch from './buildkit-registry-mismatch.js';
import envUndeclared from './env-undeclared.js';
import workflowInvalid from './workflow-invalid.js';
import actionUnknownInput from './action-unknown-input.js';
import emulatedBuild from './emulated-build.js';
import jobNoTimeout from './job-no-timeout.js';
import selfHostedTrigger from './self-hosted-trigger.js';
import checkoutNoSubmodules from './checkout-no-submodules.js';
import workflowJobNoDocker from './workflow-job-no-docker.js';
import platformTagOverwrite from './platform-tag-overwrite.js';
import buildkitInsecureRegistry from './buildkit-insecure-registry.js';
import unresolvedValue from './unresolved-value.js';
import unusedSuppression from './unused-suppression.js';

/**
 * Every rule, by id. One line per rule; test/meta/rules.test.ts fails when a rule file, its test, its docs page
 * or its line here is missing, or when an id differs from its file name.
 */
const RULES: Rule[] = [
  parseError,
  internalError,
  invalidSuppression,
  pythonVersionMismatch,
  nodeVersionMismatch,
  lockfilePythonMismatch,
  localRequirementBeforeCopy,
  hashesInconsistent,
  unpinnedDependency,
  unusedHeavyDependency,
  importOutsideContext,
  missingFile,
  copyOutsideContext,
  contextOutsideRepository,
  copyFromMissingPath,
  submoduleMismatch,
  entrypointMissing,
  entrypointNotServer,
  healthcheckToolMissing,
  pipNoTimeout,
  installFailureMasked,
  externallyManagedPython,
  venvShadowsBasePython,
  pipInvalidOption,
  unquotedVersionSpecifier,
  runExportNoEffect,
  baseArgNotPassed,
  unusedEntrypointScript,
  fromPlatformConstant,
  archSpecificDownload,
  baseImagePlatformMissing,
  wheelMissingForPlatform,
  portMismatch,
  archPin,
  runAsNonRootMismatch,
  rwoVolumeScaling,
  duplicateAutoscaler,
  mutableTagPullPolicy,
  privilegedWorkload,
  ingressTlsMismatch,
  imageNotBuilt,
  invalidImageReference,
  registryDrift,
  buildkitRegistryMismatch,
  envUndeclared,
  workflowInvalid,
  actionUnknownInput,
  emulatedBuild,
  jobNoTimeout,
  selfHostedTrigger,
  checkoutNoSubmodules,
  workflowJobNoDocker,
  platformTagOverwrite,
  buildkitInsecureRegistry,
  unresolvedValue,
  unusedSuppression,
];

export function allRules(): Rule[] {
  return [...RULES].sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));
}

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
