import type {
  ConfigMap,
  Container,
  Deployments,
  Located,
  ProbeSpec,
  Service,
  Workload,
} from '../model/deploy.js';
import { deployedImages } from '../engine/link.js';
import { parseImageRef, placeholderIn, repositoryKey } from '../model/image-ref.js';
import type { ProjectModel } from '../model/project.js';
import { emptyDeployments } from '../model/project.js';
import { SourceFile } from '../model/source.js';
import type { Unknown } from '../model/value.js';
import { ConfigError } from '../errors.js';
import { readCompose } from '../sources/compose/compose.js';
import { readManifest } from '../sources/k8s/manifests.js';
import { parseYaml } from '../sources/yaml/node.js';
import { emptyContract, GRACE_DEFAULTS, PROBE_DEFAULTS } from './defaults.js';

export { MIN_STARTUP_WINDOW, probeDeadlineSeconds, startupWindowSeconds } from './defaults.js';
import { composeEnv, expandKubernetes, kubernetesEnv, sourceAt } from './env.js';
import { healthcheckProbe } from './image-config.js';
import type { ContractSource, SmokeContract, SmokeProbe } from './types.js';

export {
  applyImageConfig,
  effectiveArgv,
  HEALTHCHECK_DEFAULTS,
  type SmokeImageConfig,
} from './image-config.js';
export { emptyContract, GRACE_DEFAULTS, PROBE_DEFAULTS } from './defaults.js';
export { applyFlags, parseDurationFlag, type SmokeFlags } from './flags.js';

/**
 * The contract a deployment declares for each container (src/smoke/types.ts), derived from the project model's
 * Kubernetes workloads and compose services: what `crossdock smoke` runs an image against. Nothing here runs or
 * reads anything; what cannot be known is a note with its reason, never a guess.
 */

export interface ContractOptions {
  /** Python modules every platform must import (`--python-import`, crossdock.yaml `smoke.pythonImports`). */
  pythonImports?: string[];
  /** Only the containers whose image this build produces (`crossdock build --smoke`). */
  buildId?: string;
  /**
   * `--manifest` with an image reference: only the containers that run this image's repository; when none does
   * and the files have a single container, that one (with a note).
   */
  image?: string;
}

export interface DerivedContracts {
  contracts: SmokeContract[];
  /** Everything not known, with the reason (each contract's own notes are also in `contract.notes`). */
  notes: string[];
}

const BATCH_KINDS = new Set(['Job', 'CronJob']);

/** What a workload's containers see besides themselves: Services that may select them, ConfigMaps. */
interface Surroundings {
  services: Service[];
  configMaps: ConfigMap[];
  /** Objects a kustomize patch changes beyond what crossdock applies. */
  patched?: Set<string>;
}

function isUnknown(v: Located<number> | Unknown | undefined): v is Unknown {
  return v !== undefined && 'known' in v;
}

/** A probe's handler port, resolved against the container's named ports; a note when it names none. */
function resolvePort(
  port: Located<number | string>,
  c: Container,
  what: string,
  notes: string[],
): number | undefined {
  if (typeof port.value === 'number') return port.value;
  const named = c.ports.find((p) => p.name === port.value);
  if (named) return named.port;
  const at = sourceAt(port.site, what);
  notes.push(
    `${what} \`${port.value}\` (${at.file}:${at.line}) names no containerPort of container "${c.name}": the probe is not checked`,
  );
  return undefined;
}

/** A Kubernetes probe with defaults filled in; undefined (and a note) when its port or handler is not known. */
function kubernetesProbe(spec: ProbeSpec, c: Container, notes: string[]): SmokeProbe | undefined {
  const key = `${spec.kind}Probe`;
  const a = spec.action;
  let action: SmokeProbe['action'];
  if (a.type === 'none') {
    const at = sourceAt(spec.site, key);
    notes.push(`${key} of container "${c.name}" (${at.file}:${at.line}) has ${a.what}: it is not checked`);
    return undefined;
  }
  if (a.type === 'exec') action = { type: 'exec', command: a.command.value };
  else {
    const handler = a.type === 'http' ? 'httpGet' : a.type === 'tcp' ? 'tcpSocket' : 'grpc';
    const port = resolvePort(a.port, c, `${key}.${handler}.port`, notes);
    if (port === undefined) return undefined;
    action =
      a.type === 'http'
        ? { type: 'http', path: a.path, port, scheme: a.scheme, headers: a.headers }
        : a.type === 'tcp'
          ? { type: 'tcp', port }
          : { type: 'grpc', port, ...(a.service !== undefined ? { service: a.service } : {}) };
  }
  return {
    kind: spec.kind,
    action,
    initialDelaySeconds: spec.initialDelaySeconds?.value ?? PROBE_DEFAULTS.initialDelaySeconds,
    periodSeconds: spec.periodSeconds?.value ?? PROBE_DEFAULTS.periodSeconds,
    timeoutSeconds: spec.timeoutSeconds?.value ?? PROBE_DEFAULTS.timeoutSeconds,
    failureThreshold: spec.failureThreshold?.value ?? PROBE_DEFAULTS.failureThreshold,
    source: sourceAt(spec.site, key),
  };
}

/** Services in the same namespace whose selector matches the pod's labels. */
function selecting(w: Workload, services: Service[]): Service[] {
  return services.filter((svc) => {
    const sel = Object.entries(svc.selector);
    return (
      sel.length > 0 &&
      (svc.namespace ?? '') === (w.namespace ?? '') &&
      sel.every(([k, v]) => w.labels[k] === v)
    );
  });
}

/** Adds a port once (the first source wins; every source is kept in `sources`). */
function addPort(contract: SmokeContract, port: number, source: ContractSource): void {
  contract.sources.push(source);
  if (!contract.ports.some((p) => p.port === port)) contract.ports.push({ port, source });
}

/** Service targetPorts that reach this container: a number it declares (or the pod's only container), or a name. */
function servicePorts(
  w: Workload,
  c: Container,
  services: Service[],
  contract: SmokeContract,
  notes: string[],
) {
  const regular = w.containers.filter((x) => !x.init);
  for (const svc of selecting(w, services))
    for (const sp of svc.ports) {
      const what = `Service ${svc.name} targetPort`;
      if (typeof sp.targetPort === 'number') {
        const declared = regular.filter((x) => x.ports.some((p) => p.port === sp.targetPort));
        if (declared.includes(c) || (declared.length === 0 && regular.length === 1))
          addPort(contract, sp.targetPort, sourceAt(sp.site, what));
        else if (declared.length === 0) {
          const at = sourceAt(sp.site, what);
          notes.push(
            `${what} ${sp.targetPort} (${at.file}:${at.line}): no container of ${w.kind}/${w.name} declares it, so which one serves it is not known`,
          );
        }
        continue;
      }
      const named = c.ports.find((p) => p.name === sp.targetPort);
      if (named) addPort(contract, named.port, sourceAt(sp.site, what));
      else if (!regular.some((x) => x.ports.some((p) => p.name === sp.targetPort))) {
        const at = sourceAt(sp.site, what);
        notes.push(
          `${what} \`${sp.targetPort}\` (${at.file}:${at.line}) names no containerPort of ${w.kind}/${w.name}: it is not checked`,
        );
      }
    }
}

/** The contract of one Kubernetes container. */
function kubernetesContract(w: Workload, c: Container, around: Surroundings): SmokeContract {
  const notes: string[] = [];
  const name = c.init
    ? `${w.kind}/${w.name} (init container ${c.name})`
    : w.containers.filter((x) => !x.init).length > 1
      ? `${w.kind}/${w.name} (container ${c.name})`
      : `${w.kind}/${w.name}`;
  const batch = BATCH_KINDS.has(w.kind) || c.init === true || isBatchPod(w);
  const contract = emptyContract(name, c.image?.value);
  contract.origin = 'kubernetes';
  contract.container = c.name;
  contract.lifecycle = batch ? 'batch' : 'long-running';
  if (batch) contract.expectExit = 0;
  contract.sources.push(sourceAt(w.site, `${w.kind} ${w.name}`));
  if (c.image) contract.sources.push(sourceAt(c.image.site, 'image'));

  const env = kubernetesEnv(c, w.namespace, around.configMaps);
  contract.env = env.env;
  contract.envNotProvided = env.notProvided;
  contract.sources.push(...env.sources);
  notes.push(...env.notes);
  // The kubelet expands `$(VAR)` in command and args with the container's own environment (not the image's).
  const blocked = new Set(env.notProvided.flatMap((n) => (n.name === undefined ? [] : [n.name])));
  const expand = (words: Located<string[]>, what: string): string[] =>
    words.value.map((word) => {
      const x = expandKubernetes(word, env.env, blocked);
      if (x.missing.length)
        notes.push(
          `${what} refers to ${x.missing.map((m) => `$(${m})`).join(', ')}, whose value is not provided: passed as written`,
        );
      return x.text;
    });
  // An empty `command` or `args` is no override: the runtime (CRI) then runs the image's Entrypoint and Cmd.
  if (c.command?.value.length) {
    contract.entrypoint = expand(c.command, 'command');
    contract.sources.push(sourceAt(c.command.site, 'command'));
  }
  if (c.args?.value.length) {
    contract.cmd = expand(c.args, 'args');
    contract.sources.push(sourceAt(c.args.site, 'args'));
  }

  // Pod-level securityContext, each field replaced by the container's own.
  const pod = w.pod.securityContext;
  const own = c.securityContext;
  const runAsUser = own.runAsUser ?? pod.runAsUser;
  const runAsGroup = own.runAsGroup ?? pod.runAsGroup;
  const runAsNonRoot = own.runAsNonRoot ?? pod.runAsNonRoot;
  if (runAsUser) {
    contract.user.runAsUser = runAsUser.value;
    contract.sources.push(sourceAt(runAsUser.site, 'securityContext.runAsUser'));
  }
  if (runAsGroup) {
    contract.user.runAsGroup = runAsGroup.value;
    contract.sources.push(sourceAt(runAsGroup.site, 'securityContext.runAsGroup'));
  }
  if (runAsNonRoot) {
    contract.user.runAsNonRoot = runAsNonRoot.value;
    contract.sources.push(sourceAt(runAsNonRoot.site, 'securityContext.runAsNonRoot'));
  }
  if (c.workingDir) {
    contract.workingDir = c.workingDir.value;
    contract.sources.push(sourceAt(c.workingDir.site, 'workingDir'));
  }
  if (!c.init) {
    for (const p of c.ports) addPort(contract, p.port, sourceAt(p.site, 'containerPort'));
    servicePorts(w, c, around.services, contract, notes);
    for (const spec of c.probeSpecs ?? []) {
      const probe = kubernetesProbe(spec, c, notes);
      if (probe) {
        contract.probes.push(probe);
        contract.sources.push(probe.source);
      }
    }
  }
  const grace = w.pod.terminationGracePeriodSeconds;
  if (grace && !isUnknown(grace)) {
    contract.terminationGracePeriodSeconds = grace.value;
    contract.sources.push(sourceAt(grace.site, 'terminationGracePeriodSeconds'));
  }
  if (around.patched?.has(`${w.kind}/${w.name}`))
    notes.push(
      `a kustomize patch changes ${w.kind}/${w.name} beyond what crossdock applies: this contract is the manifest as written`,
    );
  return finish(contract, c, notes);
}

/** A bare Pod (or pod template) that does not restart its containers runs to completion. */
function isBatchPod(w: Workload): boolean {
  const policy = w.pod.restartPolicy?.value;
  return w.kind === 'Pod' && (policy === 'Never' || policy === 'OnFailure');
}

/** The contract of one compose service. */
function composeContract(w: Workload, c: Container): SmokeContract {
  const notes: string[] = [];
  const contract = emptyContract(`compose service ${w.name}`, c.image?.value);
  contract.origin = 'compose';
  contract.container = c.name;
  contract.terminationGracePeriodSeconds = GRACE_DEFAULTS.compose;
  contract.sources.push(sourceAt(w.site, `service ${w.name}`));
  if (c.image) contract.sources.push(sourceAt(c.image.site, 'image'));
  for (const u of c.unresolved ?? []) {
    const at = sourceAt(u.site, u.value);
    notes.push(
      `\`\${${u.value}}\` (${at.file}:${at.line}) has no default: the value that uses it comes from the environment compose runs in and is not known`,
    );
  }
  const env = composeEnv(c);
  contract.env = env.env;
  contract.envNotProvided = env.notProvided;
  contract.sources.push(...env.sources);
  if (c.command) {
    contract.entrypoint = c.command.value;
    contract.sources.push(sourceAt(c.command.site, 'entrypoint'));
  }
  if (c.args) {
    contract.cmd = c.args.value;
    contract.sources.push(sourceAt(c.args.site, 'command'));
  }
  if (c.user) {
    contract.user.composeUser = c.user.value;
    contract.sources.push(sourceAt(c.user.site, 'user'));
  }
  if (c.workingDir) {
    contract.workingDir = c.workingDir.value;
    contract.sources.push(sourceAt(c.workingDir.site, 'working_dir'));
  }
  for (const p of c.ports) addPort(contract, p.port, sourceAt(p.site, 'ports/expose'));
  const h = c.composeHealthcheck;
  if (h) {
    const timing = (v: Located<number> | Unknown | undefined, what: string): number | undefined => {
      if (!v) return undefined;
      if (!isUnknown(v)) return v.value;
      notes.push(`healthcheck ${what}: ${v.reason}; the image's or Docker's default is used`);
      return undefined;
    };
    const interval = timing(h.interval, 'interval');
    const timeout = timing(h.timeout, 'timeout');
    const retries = timing(h.retries, 'retries');
    const startPeriod = timing(h.startPeriod, 'start_period');
    contract.composeHealthcheck = {
      disabled: h.disable !== undefined,
      source: sourceAt(h.site, 'healthcheck'),
      ...(h.test ? { test: h.test.value } : {}),
      ...(interval !== undefined ? { interval } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
      ...(retries !== undefined ? { retries } : {}),
      ...(startPeriod !== undefined ? { startPeriod } : {}),
    };
    contract.sources.push(contract.composeHealthcheck.source);
    // Without the image config yet: a test written here runs with these timings (Docker's defaults for the rest).
    const probe = healthcheckProbe(contract.composeHealthcheck, undefined);
    if (probe) contract.probes.push(probe);
  }
  const grace = w.pod.terminationGracePeriodSeconds;
  if (isUnknown(grace))
    notes.push(
      `stop_grace_period: ${grace.reason}; compose's default of ${GRACE_DEFAULTS.compose} s is used`,
    );
  else if (grace) {
    contract.terminationGracePeriodSeconds = grace.value;
    contract.sources.push(sourceAt(grace.site, 'stop_grace_period'));
  }
  return finish(contract, c, notes);
}

/** Image template notes; notes attached. */
function finish(contract: SmokeContract, c: Container, notes: string[]): SmokeContract {
  if (c.image) {
    const why = c.imageFilledBy
      ? `the image is filled in by ${c.imageFilledBy.file.path}`
      : placeholderIn(c.image.value);
    if (why) {
      const at = sourceAt(c.image.site, 'image');
      notes.push(`image ${why} (${at.file}:${at.line}): give the image to run on the command line`);
    }
  }
  if (notes.length) contract.notes = notes;
  return contract;
}

function contractOf(w: Workload, c: Container, around: Surroundings): SmokeContract {
  return w.origin === 'compose' ? composeContract(w, c) : kubernetesContract(w, c, around);
}

function collectNotes(contracts: SmokeContract[], notes: string[]): string[] {
  return [...notes, ...contracts.flatMap((k) => (k.notes ?? []).map((n) => `${k.name}: ${n}`))];
}

/**
 * One contract per container of every deployment in the repository whose image is built there (a Kubernetes
 * workload or compose service; containers linked to a build by the project model), with each kustomization's
 * `images:` applied. Services in the same deployment unit add their targetPorts; ConfigMaps the manifests
 * define are resolved.
 */
export function contractsFromRepository(
  model: ProjectModel,
  options: ContractOptions = {},
): DerivedContracts {
  const d = model.deployments;
  const notes: string[] = [];
  const contracts: SmokeContract[] = [];
  const pythonImports = options.pythonImports ?? configPythonImports(model);
  d.workloads.forEach((w, index) => {
    // Services applied with the workload (its deployment units), as Kubernetes would see them.
    const units = model.units.filter((u) => u.workloads.includes(index));
    const services = units.flatMap((u) =>
      u.services.map((i) => d.services[i]).filter((s) => s !== undefined),
    );
    const around: Surroundings = {
      services: [...new Set(services)],
      configMaps: d.configMaps ?? [],
      patched: d.patched,
    };
    for (const c of w.containers) {
      const buildId = c.buildId ?? c.repositoryBuildId;
      if (!buildId && !c.buildUnknown) continue;
      if (options.buildId !== undefined && buildId !== options.buildId) continue;
      const base = contractOf(w, c, around);
      if (buildId) base.buildId = buildId;
      else if (c.buildUnknown)
        base.notes = [
          ...(base.notes ?? []),
          `which build makes its image is not known: ${c.buildUnknown.reason}`,
        ];
      base.pythonImports = [...pythonImports];
      const refs = deployedRefs(model, w, c);
      for (const image of refs) {
        const k = image === base.image ? base : { ...structuredClone(base), image };
        // Several kustomizations deploy it under different references: one contract each, named by it.
        if (refs.length > 1) k.name = `${base.name} as ${image ?? '(no image)'}`;
        contracts.push(k);
      }
    }
  });
  for (const t of d.helmTemplates ?? [])
    if (t.kinds.some((k) => k in KINDS_WITH_PODS))
      notes.push(
        `${t.file.path}: a Helm template, not rendered by crossdock; render the chart (helm template) and pass the output with --manifest`,
      );
  return { contracts, notes: collectNotes(contracts, notes) };
}

/** crossdock.yaml `smoke.pythonImports`: a list of module names. */
function configPythonImports(model: ProjectModel): string[] {
  const smoke = model.config.raw.smoke;
  if (smoke === undefined || smoke === null) return [];
  const list: unknown = typeof smoke === 'object' && 'pythonImports' in smoke ? smoke.pythonImports : [];
  if (list === undefined || list === null) return [];
  if (
    typeof smoke !== 'object' ||
    Array.isArray(smoke) ||
    !Array.isArray(list) ||
    !list.every((m): m is string => typeof m === 'string' && /^[A-Za-z_][\w.]*$/.test(m))
  )
    throw new ConfigError(
      `${model.config.path ?? 'crossdock.yaml'}: smoke.pythonImports is not a list of module names`,
      {
        hint: 'write it as `smoke: { pythonImports: [numpy, app.main] }`',
      },
    );
  return list;
}

const KINDS_WITH_PODS = { Deployment: 1, StatefulSet: 1, DaemonSet: 1, Job: 1, CronJob: 1, Pod: 1 };

/** The references a container's image is deployed as: each kustomization's `images:` applied, distinct. */
function deployedRefs(model: ProjectModel, w: Workload, c: Container): (string | undefined)[] {
  if (!c.image || w.origin === 'compose') return [c.image?.value];
  return [...new Set(deployedImages(model, w, c.image.value).map((d) => d.ref))];
}

/** A Helm/Go template action (`{{ .Values.x }}`, `{{- include "…" }}`, `{{ if … }}`). */
const HELM_ACTION =
  /\{\{-? ?(?:\.Values|\.Release|\.Chart|\.Capabilities|include |template |toYaml |if |range |with |end )/;

/** Is this YAML stream a compose file (a `services:` map, no Kubernetes `kind`)? */
function isCompose(docs: ReturnType<typeof parseYaml>['docs']): boolean {
  const first = docs[0];
  return docs.length === 1 && !!first?.isMap && !!first.get('services')?.isMap && !first.get('kind');
}

/**
 * One contract per container of the workloads and compose services in the given files (`--manifest`): Kubernetes
 * YAML (several documents, `kind: List`; Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod) or a compose file.
 * Services in the files whose selector matches a workload's pod labels add their targetPorts; ConfigMaps in the
 * files are resolved. A file that is not valid YAML is a ConfigError naming the file and line.
 */
export function contractsFromManifests(
  files: { path: string; text: string }[],
  options: ContractOptions = {},
): DerivedContracts {
  const d: Deployments = emptyDeployments();
  const notes: string[] = [];
  for (const f of files) {
    const file = new SourceFile(f.path, f.text);
    const template = HELM_ACTION.exec(f.text);
    if (template)
      throw new ConfigError(
        `${f.path}:${file.position(template.index).line}: a Helm/Go template (\`${template[0]}…\`), not manifests until rendered`,
        { hint: 'render it first (helm template RELEASE CHART > rendered.yaml) and pass the rendered file' },
      );
    const parsed = parseYaml(file);
    const problem = parsed.problems[0];
    if (problem) {
      const at = file.position(problem.span.start);
      throw new ConfigError(`${f.path}:${at.line}: ${problem.message}`, {
        hint: f.text.includes('{{')
          ? 'this looks like a Helm template: render it first (helm template … > rendered.yaml) and pass that file'
          : 'fix the YAML, or pass the rendered manifests (kubectl kustomize, helm template)',
      });
    }
    if (isCompose(parsed.docs) && parsed.docs[0]) {
      d.workloads.push(...readCompose(parsed.docs[0]).workloads);
      continue;
    }
    let read = 0;
    for (const doc of parsed.docs) if (readManifest(doc, d)) read++;
    if (read === 0) notes.push(`${f.path}: no Kubernetes object or compose service`);
  }
  const around: Surroundings = { services: d.services, configMaps: d.configMaps ?? [] };
  let pairs = d.workloads.flatMap((w) => w.containers.map((c) => ({ w, c })));
  if (!pairs.length) notes.push('the files declare no workload or compose service');
  if (options.image !== undefined && pairs.length) {
    const wanted = parseImageRef(options.image);
    const key = wanted.ok ? repositoryKey(wanted.ref) : undefined;
    const matching = pairs.filter(({ c }) => {
      const p = c.image ? parseImageRef(c.image.value) : undefined;
      return !!p?.ok && repositoryKey(p.ref) === key;
    });
    if (matching.length) pairs = matching;
    else if (pairs.length === 1 && pairs[0]) {
      notes.push(
        `the manifests run ${pairs[0].c.image?.value ?? 'no image'}, not ${options.image}: the only container's contract is used for it`,
      );
    } else {
      notes.push(
        `no container in the manifests runs ${options.image} (they run ${[...new Set(pairs.map(({ c }) => c.image?.value ?? '(none)'))].join(', ')})`,
      );
      pairs = [];
    }
  }
  const contracts = pairs.map(({ w, c }) => {
    const k = contractOf(w, c, around);
    k.pythonImports = [...(options.pythonImports ?? [])];
    return k;
  });
  return { contracts, notes: collectNotes(contracts, notes) };
}
