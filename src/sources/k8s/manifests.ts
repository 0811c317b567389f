import type {
  Container,
  Deployments,
  EnvRef,
  Located,
  ProbeSpec,
  SecurityContext,
  Workload,
} from '../../model/deploy.js';
import type { SourceFile } from '../../model/source.js';
import type { Y } from '../yaml/node.js';

/** Kinds whose pod template crossdock reads, and where the pod spec sits in each. */
const POD_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const ARCH_LABELS = new Set(['kubernetes.io/arch', 'beta.kubernetes.io/arch']);

function bool(y: Y | undefined): Located<boolean> | undefined {
  const v = y?.bool();
  return v === undefined || !y ? undefined : { value: v, site: y.site };
}

function securityContext(y: Y | undefined): SecurityContext {
  if (!y) return {};
  const user = y.get('runAsUser');
  const n = user?.num();
  const out: SecurityContext = {
    runAsNonRoot: bool(y.get('runAsNonRoot')),
    runAsUser: n !== undefined && user ? { value: n, site: user.site } : undefined,
    privileged: bool(y.get('privileged')),
    allowPrivilegeEscalation: bool(y.get('allowPrivilegeEscalation')),
  };
  const group = num(y.get('runAsGroup'));
  if (group) out.runAsGroup = group;
  return out;
}

function num(y: Y | undefined): Located<number> | undefined {
  const n = y?.num();
  return n === undefined || !y ? undefined : { value: n, site: y.site };
}

function portOf(y: Y | undefined): Located<number | string> | undefined {
  const v = y?.num() ?? y?.str();
  return v === undefined || !y ? undefined : { value: v, site: y.site };
}

/** A probe as written, whatever its handler, with its timings (defaults are not filled in). */
function probeSpec(kind: ProbeSpec['kind'], y: Y): ProbeSpec {
  const http = y.get('httpGet');
  const tcp = y.get('tcpSocket');
  const grpc = y.get('grpc');
  const exec = y.get('exec');
  let action: ProbeSpec['action'] = { type: 'none', what: 'no handler (httpGet, tcpSocket, grpc or exec)' };
  const port = portOf((http ?? tcp ?? grpc)?.get('port'));
  if (http && port) {
    const headers: Record<string, string> = {};
    for (const h of http.get('httpHeaders')?.items() ?? []) {
      const name = h.get('name')?.str();
      if (name) headers[name] = h.get('value')?.str() ?? '';
    }
    action = {
      type: 'http',
      path: http.get('path')?.str() || '/',
      port,
      scheme: http.get('scheme')?.str()?.toUpperCase() === 'HTTPS' ? 'HTTPS' : 'HTTP',
      headers,
    };
  } else if (tcp && port) action = { type: 'tcp', port };
  else if (grpc && port) action = { type: 'grpc', port, service: grpc.get('service')?.str() };
  else if (exec) {
    const command = list(exec.get('command'));
    if (command) action = { type: 'exec', command };
  } else if (http || tcp || grpc) action = { type: 'none', what: 'a handler without a port' };
  const spec: ProbeSpec = { kind, action, site: y.site };
  for (const key of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const) {
    const v = num(y.get(key));
    if (v) spec[key] = v;
  }
  return spec;
}

/** `configMapKeyRef`/`secretKeyRef`/`fieldRef`/`resourceFieldRef` of a `valueFrom`. */
function valueFromRef(from: Y): EnvRef {
  const optional = (y: Y | undefined) => y?.get('optional')?.bool() === true;
  const cm = from.get('configMapKeyRef');
  if (cm)
    return {
      source: 'configMap',
      name: cm.get('name')?.str(),
      key: cm.get('key')?.str(),
      optional: optional(cm),
    };
  const secret = from.get('secretKeyRef');
  if (secret)
    return {
      source: 'secret',
      name: secret.get('name')?.str(),
      key: secret.get('key')?.str(),
      optional: optional(secret),
    };
  const field = from.get('fieldRef');
  if (field) return { source: 'field', name: field.get('fieldPath')?.str(), optional: false };
  const resource = from.get('resourceFieldRef');
  if (resource) return { source: 'resource', name: resource.get('resource')?.str(), optional: false };
  return { source: 'other', name: undefined, optional: false };
}

/** One `envFrom` source. */
function envFromRef(e: Y): EnvRef {
  const cm = e.get('configMapRef');
  const secret = e.get('secretRef');
  const ref = cm ?? secret;
  return {
    source: cm ? 'configMap' : secret ? 'secret' : 'other',
    name: ref?.get('name')?.str(),
    prefix: e.get('prefix')?.str(),
    optional: ref?.get('optional')?.bool() === true,
  };
}

function probePort(y: Y | undefined): { port: number | string; at: Y } | undefined {
  if (!y) return undefined;
  for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
    const port = y.at(handler, 'port');
    if (!port) continue;
    const n = port.num();
    const s = port.str();
    if (n !== undefined) return { port: n, at: port };
    if (s !== undefined) return { port: s, at: port };
  }
  return undefined;
}

function list(y: Y | undefined): Located<string[]> | undefined {
  if (!y?.isSeq) return undefined;
  return { value: y.items().map((i) => i.str() ?? ''), site: y.site };
}

function container(y: Y, file: SourceFile, withProbes: boolean): Container {
  const c = containerFields(y, file, withProbes);
  const order: NonNullable<Container['envOrder']> = [];
  for (const e of y.get('envFrom')?.items() ?? [])
    order.push({ name: undefined, ref: envFromRef(e), site: e.site });
  for (const e of y.get('env')?.items() ?? []) {
    const name = e.get('name')?.str();
    if (!name) continue;
    const from = e.get('valueFrom');
    const value = e.get('value');
    if (from) order.push({ name, ref: valueFromRef(from), site: from.site });
    // `- name: X` alone sets X to the empty string.
    else order.push({ name, value: { value: value?.str() ?? '', site: (value ?? e).site } });
  }
  if (order.length) c.envOrder = order;
  const workingDir = y.get('workingDir');
  const wd = workingDir?.str();
  if (workingDir && wd) c.workingDir = { value: wd, site: workingDir.site };
  if (withProbes) {
    const specs: ProbeSpec[] = [];
    for (const kind of ['liveness', 'readiness', 'startup'] as const) {
      const p = y.get(`${kind}Probe`);
      if (p?.isMap) specs.push(probeSpec(kind, p));
    }
    if (specs.length) c.probeSpecs = specs;
    // A sidecar (`restartPolicy: Always`) runs alongside the others; any other init container runs to completion.
  } else if (y.get('restartPolicy')?.str() !== 'Always') c.init = true;
  return c;
}

function containerFields(y: Y, file: SourceFile, withProbes: boolean): Container {
  const image = y.get('image');
  const imageText = image?.str();
  const policy = y.get('imagePullPolicy');
  const policyText = policy?.str();
  const c: Container = {
    name: y.get('name')?.str() ?? '',
    image: image && imageText !== undefined ? { value: imageText, site: image.site } : undefined,
    pullPolicy: policy && policyText !== undefined ? { value: policyText, site: policy.site } : undefined,
    ports: [],
    probes: [],
    securityContext: securityContext(y.get('securityContext')),
    buildId: undefined,
    command: list(y.get('command')),
    args: list(y.get('args')),
    env: {},
  };
  const elsewhere: NonNullable<Container['envElsewhere']> = [];
  for (const e of y.get('env')?.items() ?? []) {
    const name = e.get('name')?.str();
    const value = e.get('value');
    const v = value?.str();
    if (name && value && v !== undefined) c.env[name] = { value: v, site: value.site };
    const from = e.get('valueFrom');
    if (name && from) elsewhere.push({ names: [name], site: from.site, what: `\`valueFrom\` of ${name}` });
  }
  const envFrom = y.get('envFrom');
  if (envFrom && (envFrom.items().length > 0 || !envFrom.isSeq))
    elsewhere.push({ names: undefined, site: envFrom.site, what: '`envFrom`' });
  if (elsewhere.length) c.envElsewhere = elsewhere;
  for (const p of y.get('ports')?.items() ?? []) {
    const port = p.get('containerPort');
    const n = port?.num();
    if (port && n !== undefined) c.ports.push({ port: n, name: p.get('name')?.str(), site: port.site });
  }
  if (withProbes) {
    for (const kind of ['liveness', 'readiness', 'startup'] as const) {
      const pp = probePort(y.get(`${kind}Probe`));
      if (pp) c.probes.push({ kind, port: pp.port, site: pp.at.site });
    }
  }
  void file;
  return c;
}

/** nodeSelector or required node affinity on the arch label. */
function archConstraint(spec: Y): Workload['pod']['archConstraint'] {
  for (const e of spec.get('nodeSelector')?.entries() ?? []) {
    if (ARCH_LABELS.has(e.key) && e.value) {
      const v = e.value.str();
      if (v) return { operator: 'In', values: [v], site: e.value.site };
    }
  }
  const terms =
    spec
      .at('affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms')
      ?.items() ?? [];
  for (const term of terms) {
    for (const expr of term.get('matchExpressions')?.items() ?? []) {
      const key = expr.get('key')?.str();
      const op = expr.get('operator')?.str();
      if (!key || !ARCH_LABELS.has(key) || (op !== 'In' && op !== 'NotIn')) continue;
      const values = (expr.get('values')?.items() ?? []).map((v) => v.str()).filter((v): v is string => !!v);
      return { operator: op, values, site: expr.site };
    }
  }
  return undefined;
}

/** Reads one Kubernetes document into the deployments model. Returns false when it is not a Kubernetes object. */
export function readManifest(doc: Y, out: Deployments): boolean {
  if (!doc.isMap) return false;
  const kind = doc.get('kind')?.str();
  const apiVersion = doc.get('apiVersion')?.str();
  if (!kind || !apiVersion) return false;
  if (kind === 'List') {
    for (const item of doc.get('items')?.items() ?? []) readManifest(item, out);
    return true;
  }
  const meta = doc.get('metadata');
  const name = meta?.get('name')?.str() ?? '';
  const namespace = meta?.get('namespace')?.str();
  const site = (meta?.get('name') ?? doc.get('kind') ?? doc).site;
  const podPath = POD_PATHS[kind];
  if (podPath) {
    const spec = doc.at(...podPath);
    const template = kind === 'Pod' ? doc : doc.at(...podPath.slice(0, -1));
    const replicas = doc.at('spec', 'replicas');
    const r = replicas?.num();
    const w: Workload = {
      kind,
      name,
      namespace,
      origin: 'kubernetes',
      site,
      replicas: replicas && r !== undefined ? { value: r, site: replicas.site } : undefined,
      containers: [],
      pod: {
        securityContext: securityContext(spec?.get('securityContext')),
        hostNetwork: bool(spec?.get('hostNetwork')),
        hostPID: bool(spec?.get('hostPID')),
        hostIPC: bool(spec?.get('hostIPC')),
        archConstraint: spec ? archConstraint(spec) : undefined,
        claims: [],
      },
      labels: template?.at('metadata', 'labels')?.stringMap() ?? {},
      annotations: {
        ...(meta?.get('annotations')?.stringMap() ?? {}),
        ...(template?.at('metadata', 'annotations')?.stringMap() ?? {}),
      },
    };
    const grace = num(spec?.get('terminationGracePeriodSeconds'));
    if (grace) w.pod.terminationGracePeriodSeconds = grace;
    const restart = spec?.get('restartPolicy');
    const rp = restart?.str();
    if (restart && rp) w.pod.restartPolicy = { value: rp, site: restart.site };
    for (const c of spec?.get('containers')?.items() ?? []) w.containers.push(container(c, doc.file, true));
    for (const c of spec?.get('initContainers')?.items() ?? [])
      w.containers.push(container(c, doc.file, false));
    for (const v of spec?.get('volumes')?.items() ?? []) {
      const claim = v.at('persistentVolumeClaim', 'claimName');
      const s = claim?.str();
      if (claim && s) w.pod.claims.push({ value: s, site: claim.site });
    }
    out.workloads.push(w);
    return true;
  }
  switch (kind) {
    case 'Service': {
      const ports = (doc.at('spec', 'ports')?.items() ?? []).map((p) => {
        const target = p.get('targetPort') ?? p.get('port');
        const port = p.get('port')?.num() ?? 0;
        const tn = target?.num();
        return { port, targetPort: tn ?? target?.str() ?? port, site: (target ?? p).site };
      });
      out.services.push({
        name,
        namespace,
        selector: doc.at('spec', 'selector')?.stringMap() ?? {},
        ports,
        site,
      });
      return true;
    }
    case 'Ingress': {
      const annotations: Record<string, Located<string>> = {};
      for (const e of meta?.get('annotations')?.entries() ?? []) {
        const v = e.value?.str();
        if (v !== undefined && e.value) annotations[e.key] = { value: v, site: e.value.site };
      }
      const tls = doc.at('spec', 'tls');
      out.ingresses.push({
        name,
        namespace,
        annotations,
        tls: tls && (tls.items().length > 0 || tls.isMap) ? { value: tls.toJS(), site: tls.site } : undefined,
        site,
      });
      return true;
    }
    case 'ConfigMap': {
      const data: Record<string, Located<string>> = {};
      for (const e of doc.get('data')?.entries() ?? []) {
        const v = e.value?.str();
        if (v !== undefined && e.value) data[e.key] = { value: v, site: e.value.site };
      }
      out.configMaps ??= [];
      out.configMaps.push({ name, namespace, data, site });
      return true;
    }
    case 'PersistentVolumeClaim':
      out.claims.push({
        name,
        namespace,
        accessModes: (doc.at('spec', 'accessModes')?.items() ?? []).map((m) => m.str() ?? ''),
        storageClassName: doc.at('spec', 'storageClassName')?.str(),
        site,
      });
      return true;
    case 'HorizontalPodAutoscaler':
    case 'ScaledObject': {
      const ref =
        kind === 'ScaledObject' ? doc.at('spec', 'scaleTargetRef') : doc.at('spec', 'scaleTargetRef');
      out.autoscalers.push({
        kind,
        name,
        namespace,
        target: { kind: ref?.get('kind')?.str() ?? 'Deployment', name: ref?.get('name')?.str() ?? '' },
        max:
          doc.at('spec', kind === 'ScaledObject' ? 'maxReplicaCount' : 'maxReplicas')?.num() ??
          (kind === 'ScaledObject' ? 100 : undefined),
        site,
      });
      return true;
    }
    case 'Namespace': {
      const labels: Record<string, Located<string>> = {};
      for (const e of meta?.get('labels')?.entries() ?? []) {
        const v = e.value?.str();
        if (v !== undefined && e.value) labels[e.key] = { value: v, site: e.value.site };
      }
      out.namespaces.push({ name, labels, annotations: meta?.get('annotations')?.stringMap() ?? {}, site });
      return true;
    }
    default:
      return true;
  }
}
