import type { Container, Deployments, Located, SecurityContext, Workload } from '../../model/deploy.js';
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
  return {
    runAsNonRoot: bool(y.get('runAsNonRoot')),
    runAsUser: n !== undefined && user ? { value: n, site: user.site } : undefined,
    privileged: bool(y.get('privileged')),
    allowPrivilegeEscalation: bool(y.get('allowPrivilegeEscalation')),
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
