import type { ShellFacts, ShellScript } from './shell.js';
import type { SourceFile, Span } from './source.js';
import type { Unknown, Value } from './value.js';

/** A place in a parsed source: what rules report against. */
export interface Site {
  file: SourceFile;
  span: Span;
}

/** A value read from a file, with where it was written. */
export interface Located<T> {
  value: T;
  site: Site;
}

/** Where a workload, image use or registry reference was declared. */
export type DeployOrigin = 'kubernetes' | 'compose' | 'kustomize' | 'helm';

export interface SecurityContext {
  runAsNonRoot?: Located<boolean>;
  runAsUser?: Located<number>;
  runAsGroup?: Located<number>;
  privileged?: Located<boolean>;
  allowPrivilegeEscalation?: Located<boolean>;
}

export interface ContainerPort {
  port: number;
  name?: string;
  site: Site;
}

export interface Probe {
  kind: 'liveness' | 'readiness' | 'startup' | 'healthcheck';
  /** A number, or a port name to resolve against the container's named ports. */
  port: number | string;
  site: Site;
}

/**
 * A Kubernetes probe as written, whatever its handler (exec probes included), with its timings; or a compose
 * `healthcheck` (`exec` with its test, timings in seconds). Read for `crossdock smoke`; rules read `Probe`.
 */
export interface ProbeSpec {
  kind: Probe['kind'];
  action:
    | {
        type: 'http';
        path: string;
        port: Located<number | string>;
        scheme: 'HTTP' | 'HTTPS';
        headers: Record<string, string>;
      }
    | { type: 'tcp'; port: Located<number | string> }
    | { type: 'grpc'; port: Located<number | string>; service?: string }
    | { type: 'exec'; command: Located<string[]> }
    /** No handler crossdock reads (none written, or one it does not know). */
    | { type: 'none'; what: string };
  initialDelaySeconds?: Located<number>;
  periodSeconds?: Located<number>;
  timeoutSeconds?: Located<number>;
  failureThreshold?: Located<number>;
  /** The `<kind>Probe` (or `healthcheck`) key's value. */
  site: Site;
}

/**
 * A compose `healthcheck` as written. Fields it leaves out are taken from the image's HEALTHCHECK by the engine,
 * one by one; durations in seconds. A duration written with a variable without a default is unknown.
 */
export interface ComposeHealthcheck {
  /** `CMD`/`CMD-SHELL` list or a string (CMD-SHELL); `NONE` disables the image's HEALTHCHECK. */
  test?: Located<string[]>;
  interval?: Located<number> | Unknown;
  timeout?: Located<number> | Unknown;
  retries?: Located<number> | Unknown;
  startPeriod?: Located<number> | Unknown;
  /** `disable: true`. */
  disable?: Site;
  site: Site;
}

/**
 * Where one environment value (or a whole `envFrom` source) comes from at run time, when it is not a literal:
 * a config map or secret key, a pod field, a resource field.
 */
export interface EnvRef {
  source: 'configMap' | 'secret' | 'field' | 'resource' | 'other';
  /** Config map or secret name; the field path for `field`. */
  name: string | undefined;
  /** `configMapKeyRef`/`secretKeyRef` key; undefined for `envFrom`. */
  key?: string;
  /** `envFrom` prefix. */
  prefix?: string;
  optional: boolean;
}

export interface Container {
  name: string;
  /** Image reference as written, compose `${VAR:-default}` interpolated; undefined when none is set. */
  image: Located<string> | undefined;
  pullPolicy: Located<string> | undefined;
  ports: ContainerPort[];
  probes: Probe[];
  securityContext: SecurityContext;
  /** Id of the build producing this container's image exactly (compose `build:`, a tag it builds), when known. */
  buildId: string | undefined;
  /** Id of the only build of the image's repository (another tag, or another registry host), when there is one. */
  repositoryBuildId?: string;
  /** Builds produce the image but which one made what runs is not known (they disagree, or push elsewhere). */
  buildUnknown?: Unknown;
  /** Kubernetes `command` / compose `entrypoint`: replaces the image's ENTRYPOINT. */
  command?: Located<string[]>;
  /** Kubernetes `args` / compose `command`: replaces the image's CMD. */
  args?: Located<string[]>;
  /** Literal environment values (`env: [{name, value}]`, compose `environment`). */
  env: Record<string, Located<string>>;
  /**
   * Kubernetes environment set from elsewhere at run time: `envFrom` (any name: `names` undefined), `valueFrom`
   * entries (their name). The literal `env` takes precedence over them.
   */
  envElsewhere?: { names: string[] | undefined; site: Site; what: string; ref?: EnvRef }[];
  /**
   * Kubernetes `env` and `envFrom` in the order the kubelet applies them (`envFrom` sources first, then `env`
   * entries), literal or not; compose `environment` entries without a value or with a variable that has no
   * default. Read for `crossdock smoke`.
   */
  envOrder?: (
    | { name: string; value: Located<string> }
    | { name: string | undefined; ref: EnvRef; site: Site }
    | { name: string; unset: Unknown; site: Site }
  )[];
  /** Every probe as written (exec probes and timings included). */
  probeSpecs?: ProbeSpec[];
  /** Compose `healthcheck`, as written. */
  composeHealthcheck?: ComposeHealthcheck;
  /** Kubernetes `workingDir` / compose `working_dir`. */
  workingDir?: Located<string>;
  /** Compose `user` as written (`1000`, `1000:1000`, `app`). */
  user?: Located<string>;
  /** Compose `env_file` entries: their values are not read. */
  envFiles?: Located<string>[];
  /** An init container: it runs to completion before the others start. */
  init?: true;
  /** Compose: `${X}` without a default used in the service (the variable's name, where): those values are not known. */
  unresolved?: Located<string>[];
  /**
   * The image is filled in by something else before it is applied (a kustomize `replacements:`/`vars:`, an
   * envsubst or sed render script): what is written is not what runs.
   */
  imageFilledBy?: Site;
  /** Compose: a `healthcheck` test is set (not `NONE`, not `disable: true`), with or without a port. */
  healthcheck?: Site;
  /** Compose `restart:` policy as written. */
  restart?: Located<string>;
}

export interface Workload {
  /** Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, or `compose-service`. */
  kind: string;
  name: string;
  namespace: string | undefined;
  origin: 'kubernetes' | 'compose';
  /** The `kind`/`metadata.name` (or compose service key). */
  site: Site;
  replicas: Located<number> | undefined;
  containers: Container[];
  pod: {
    securityContext: SecurityContext;
    hostNetwork?: Located<boolean>;
    hostPID?: Located<boolean>;
    hostIPC?: Located<boolean>;
    /** nodeSelector or required node affinity on kubernetes.io/arch. */
    archConstraint?: { operator: 'In' | 'NotIn'; values: string[]; site: Site };
    /** PersistentVolumeClaims mounted, by claim name (StatefulSet volumeClaimTemplates excluded). */
    claims: Located<string>[];
    /** Kubernetes `terminationGracePeriodSeconds`, compose `stop_grace_period` (seconds). */
    terminationGracePeriodSeconds?: Located<number> | Unknown;
    /** Kubernetes `restartPolicy` of the pod (Pods, Jobs). */
    restartPolicy?: Located<string>;
  };
  /** Pod template labels (Service selectors match these). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Service {
  name: string;
  namespace: string | undefined;
  selector: Record<string, string>;
  ports: { port: number; targetPort: number | string; site: Site }[];
  site: Site;
}

/** A ConfigMap's `data` (string values), for `envFrom`/`configMapKeyRef` resolution. */
export interface ConfigMap {
  name: string;
  namespace: string | undefined;
  data: Record<string, Located<string>>;
  site: Site;
}

export interface Ingress {
  name: string;
  namespace: string | undefined;
  annotations: Record<string, Located<string>>;
  tls: Located<unknown> | undefined;
  site: Site;
  /** A kustomize patch crossdock cannot apply changes it (units only): its annotations and tls are not known. */
  unknown?: Unknown;
}

export interface Claim {
  name: string;
  namespace: string | undefined;
  accessModes: string[];
  storageClassName: string | undefined;
  site: Site;
}

export interface Autoscaler {
  kind: 'HorizontalPodAutoscaler' | 'ScaledObject';
  name: string;
  namespace: string | undefined;
  target: { kind: string; name: string };
  max: number | undefined;
  site: Site;
}

export interface Namespace {
  name: string;
  labels: Record<string, Located<string>>;
  annotations: Record<string, string>;
  site: Site;
}

/** An image reference a deployment asks for (besides workload containers): Kustomize `images:`, Helm values. */
export interface ImageUse {
  ref: string;
  site: Site;
  origin: DeployOrigin;
  pullPolicy?: Located<string>;
}

/**
 * A port a Helm chart template uses, as written: a number, a port name, a values path (`{{ .Values.service.port }}`),
 * or (probes only) the values path of a whole probe rendered with `toYaml`.
 */
export interface HelmPortUse {
  kind: 'containerPort' | 'targetPort' | 'probe';
  probe?: 'liveness' | 'readiness' | 'startup';
  port: { number: number } | { name: string } | { values: string } | { probeValues: string };
  site: Site;
  /** A containerPort's `name:` in the same list item. */
  item: string | undefined;
}

/** What crossdock reads from one file of a chart's `templates/` without rendering it. */
export interface HelmTemplate {
  file: SourceFile;
  /** `kind:` of each object the file writes. */
  kinds: string[];
  /** Per `image:` line, the values path of its image block (`image` for `.Values.image.repository`), or null. */
  images: (string | null)[];
  ports: HelmPortUse[];
  /** A container `command:` or `args:` is written (the image's own command may not be what runs). */
  command: boolean;
  /** `env:`/`envFrom:` is written (the environment the program reads is not known). */
  env: boolean;
}

/** A Helm values file's scalars by dotted path. */
export interface HelmValues {
  file: SourceFile;
  scalars: Map<string, Located<string>>;
}

/** A mention of a registry host: where images are pushed or pulled, logged in to, or configured. */
export interface RegistryMention {
  host: string;
  /** Repository path without host and tag, when the mention is an image reference. */
  repository: string | undefined;
  role: 'push' | 'tag' | 'pull' | 'login' | 'buildkitd' | 'deploy';
  site: Site;
  /**
   * Part of the reference comes from a variable: the host (`host` is then the text as written: the registry is
   * not known), or only the repository (`repository` undefined). For a variable host, `repository` is what follows
   * it, which may be the end of the real repository path.
   */
  unresolved?: { host: boolean; why: Unknown };
}

export interface BuildkitdRegistry {
  host: string;
  http: Located<boolean> | undefined;
  insecure: Located<boolean> | undefined;
  ca: Located<string[]> | undefined;
  /** `mirrors = [...]`: hosts pulled from instead of this registry. */
  mirrors?: string[];
  site: Site;
}

export interface Kustomization {
  file: SourceFile;
  /** `resources`/`bases`/`components` entries as written, with the path they resolve to. */
  resources: { entry: Located<string>; path: string | undefined; remote: boolean }[];
  namePrefix: string | undefined;
  /** `images:` overrides: the image name matched and the reference it becomes. */
  images: { name: string; ref: string; site: Site }[];
  /** Patch files and inline patches (`patches`, `patchesStrategicMerge`, `patchesJson6902`). */
  patches: {
    path: string | undefined;
    inline: string | undefined;
    site: Site;
    /** `target:` (kind, name; `selector` when it selects by labels or annotations): what the patch applies to. */
    target?: { kind: string | undefined; name: string | undefined; selector: boolean };
  }[];
  /** `replacements:` or `vars:`: values copied into other objects at build time. */
  replacements: Site | undefined;
  /** `replicas: [{ name, count }]`. */
  replicas: { name: string; count: number; site: Site }[];
}

/** A strategic-merge patch as read from its file or inline text. */
export interface KustomizePatch {
  kind: string | undefined;
  name: string | undefined;
  /** `$patch: delete`: the object is removed. */
  delete: boolean;
  replicas: Located<number> | undefined;
  /** It changes other fields too (tls, ports, containers...). */
  other: boolean;
  /** `metadata.annotations` it sets (null: removes). */
  annotations?: Record<string, Located<string> | null>;
  /** Ingress `spec.tls` as it sets it (null: empties it); undefined when it leaves it. */
  tls?: Located<unknown> | null;
  /** Directives crossdock does not apply (`$patch: replace`, `$retainKeys`…): what it makes is not known. */
  opaque: boolean;
  site: Site;
}

export interface Deployments {
  kustomizations: Kustomization[];
  /** Patches read from the files kustomizations name as patches (those files are not objects of their own). */
  patches?: Map<string, KustomizePatch[]>;
  /** `Kind/name` of objects some kustomization patches beyond delete and replicas: their fields are not as written. */
  patched?: Set<string>;
  workloads: Workload[];
  services: Service[];
  ingresses: Ingress[];
  claims: Claim[];
  autoscalers: Autoscaler[];
  namespaces: Namespace[];
  images: ImageUse[];
  /** ConfigMaps the manifests define. */
  configMaps?: ConfigMap[];
  /** Helm chart templates (files under a chart's `templates/`) and every values file's scalars. */
  helmTemplates?: HelmTemplate[];
  helmValues?: HelmValues[];
}

// ---------------------------------------------------------------- CI workflows

export interface WorkflowStep {
  site: Site;
  /** `id:`, referenced by `steps.<id>.outputs`. */
  id: string | undefined;
  name: string | undefined;
  uses: { action: string; ref: string; site: Site } | undefined;
  with: Map<string, { value: string; keySite: Site; valueSite: Site }>;
  /** `working-directory` of a run step (else the job's `defaults.run.working-directory`), as written. */
  workingDirectory: string | undefined;
  /** `if:` as written: the step runs only when it holds. */
  if?: Located<string>;
  run:
    | {
        text: string;
        /** File offset of each character of `text`. */
        offsets: number[];
        site: Site;
        script: ShellScript;
        facts: ShellFacts;
        /** Relative sources of `cp`/`install` commands (e.g. `cp .env.example .env`). */
        copies: Located<string>[];
        /** Scripts the block runs (`./scripts/build.sh`, `bash build.sh`, `make`), with their arguments when literal. */
        runs: (Located<string> & { args: (string | undefined)[] | undefined })[];
        /**
         * Step outputs it writes (`echo "name=value" >> "$GITHUB_OUTPUT"`): every value written on any branch;
         * `unknown` when a value is computed at run time.
         */
        outputs: Map<string, { values: string[]; unknown: boolean }>;
        /** Paths it applies to a cluster (`kubectl apply -f X`, `-k X`, `helm upgrade --install … chart`). */
        applies: Located<string>[];
        /** Files it renders with `envsubst` / `sed -i` (placeholders filled at deploy time). */
        renders: Located<string>[];
        /** Compose files it runs (`docker compose -f X up`). */
        composes: ComposeRun[];
        /** The folder each command runs in (`working-directory` and `cd` followed), by the command's start offset. */
        cwdAt: Map<number, Value<string>>;
      }
    | undefined;
}

/**
 * A compose file a command runs. `builds`: `always` (`build`, `up --build`), `missing` (`up`/`run`/`create`:
 * services whose image is not there yet), or undefined (`down`, `pull`, `logs`…).
 */
export type ComposeRun = Located<string> & { builds: 'always' | 'missing' | undefined };

export interface WorkflowJob {
  id: string;
  site: Site;
  /** Label sets the job can run on, one per matrix combination (expressions left as written). */
  runsOn: { labels: string[]; site: Site }[];
  /** `runs-on` as written (expressions unresolved). */
  runsOnRaw: string[];
  timeoutMinutes: Located<number | string> | undefined;
  steps: WorkflowStep[];
  matrix: Record<string, Located<string>[]>;
  env: Record<string, string>;
  /** `if:` as written: the job runs only when it holds. */
  if?: Located<string>;
  /** `container:`: the image the job's steps run in (as written), and whether it mounts the Docker socket. */
  container?: JobContainer;
}

export interface JobContainer {
  /** `container: image` or `container.image`, as written (may hold expressions); undefined when not given. */
  image: Located<string> | undefined;
  /** `volumes:` or `options:` mount `/var/run/docker.sock` (or options crossdock does not read mount anything). */
  dockerSocket: boolean;
  site: Site;
}

/**
 * The git refs a workflow can run on, from its triggers: what `github.ref` can be. Branch and tag names are known
 * when filters list them literally; unknown (with why) when any name is possible; undefined when never such a ref.
 */
export interface WorkflowRefs {
  /** Branch names (`on.push.branches` without globs). */
  branches: string[] | Unknown | undefined;
  /** Tag name globs (`on.push.tags`). */
  tags: string[] | Unknown | undefined;
  /** Runs for pull requests (`refs/pull/<n>/merge`). */
  pullRequest: boolean;
  /** Runs on a schedule. */
  schedule: boolean;
}

export interface Workflow {
  file: SourceFile;
  /** Trigger event names (`push`, `pull_request`, `workflow_dispatch`...). */
  on: string[];
  /** The refs its triggers run it on. */
  refs?: WorkflowRefs;
  jobs: WorkflowJob[];
  env: Record<string, string>;
  /** Structural problems (invalid YAML, unknown keys, misplaced steps), reported by workflow-invalid. */
  problems: { message: string; site: Site }[];
}

export interface ComposeProject {
  file: SourceFile;
  /** `${VAR}` uses without a default: name → sites. */
  variables: Map<string, Site[]>;
  envFiles: Located<string>[];
  /** The committed example env file next to the compose file (`.env.example`, `.env.sample`, `.env.template`). */
  example: { file: SourceFile; names: Set<string> } | undefined;
  /** A committed `.env` next to the compose file: compose reads it, so its names are set on a fresh checkout. */
  dotenv?: { file: SourceFile; names: Set<string> };
}

/** Names of committed example env files (the template a developer copies to `.env`). */
export const ENV_EXAMPLES = ['.env.example', '.env.sample', '.env.template', '.env.dist', 'env.example'];
