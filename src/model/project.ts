import type {
  BuildkitdRegistry,
  ComposeProject,
  Deployments,
  Kustomization,
  RegistryMention,
  Site,
  Workflow,
  WorkflowJob,
} from './deploy.js';
import type { DfStage, Dockerfile, DockerIgnore } from './dockerfile.js';
import type { Finding } from './finding.js';
import type { Gitmodules } from './git.js';
import type { Nvmrc, PackageJson } from './node.js';
import type { Platform } from './platform.js';
import type {
  PyContextScript,
  PyImports,
  PyProject,
  PyRequirementsFile,
  PySetup,
  PyVersionFile,
} from './python.js';
import type { Inventory } from './repo.js';
import type { ShellFacts } from './shell.js';
import type { Location, SourceFile } from './source.js';
import type { Unknown, Value } from './value.js';

export { pathStatus } from './repo.js';
export type { FileStatus, Inventory } from './repo.js';

/** Where a build was defined. `dockerfile`: nothing in the repository builds this Dockerfile. */
export type BuildOrigin = 'dockerfile' | 'config' | 'compose' | 'workflow' | 'script' | 'makefile' | 'bake';

/** A node of the build graph: one place that builds one Dockerfile. A Dockerfile may have many. */
export interface Build {
  id: string;
  origin: BuildOrigin;
  /** Where the build is defined (for a Dockerfile no build site builds: its first FROM). */
  definedAt: Location;
  /** Dockerfile path relative to the root. */
  dockerfile: Value<string>;
  /** Build context relative to the root (`.` for the root); unknown with `candidates` when it depends on where a command runs. */
  context: Value<string> & { candidates?: string[] };
  /**
   * Platforms built. Known when the definition sets them (or crossdock.yaml does), or by convention when it sets
   * none and the builder's platform is known (a job on an amd64 runner builds linux/amd64); unknown otherwise.
   */
  platforms: Value<Platform[]>;
  /** True when the definition itself names the platforms (`--platform`, `platforms:`). */
  platformsExplicit: boolean;
  /** Tags as written, variables left in place (patterns). */
  tags: string[];
  /**
   * Tags computed when a workflow runs (docker/metadata-action), parallel to `tags`: the shape of `tags[i]`'s tag
   * (`tags[i]` then holds a `${{ }}` stand-in for what is computed), or why it is not known (`tags[i]` is then
   * `image:${{ steps.<id>.outputs.tags }}`). Undefined entries, or no array: the tag is as written.
   */
  tagShapes?: (TagShape | Unknown | undefined)[];
  /**
   * Tags as the definition writes them, when evaluating expressions changed them (`ghcr.io/${{ github.repository }}`
   * resolved from the origin remote); parallel to `tags`.
   */
  tagsWritten?: string[];
  buildArgs: Record<string, Value<string>>;
  /**
   * Arguments crossdock cannot read reach the build command (`"$@"` of a script whose caller is not known): any
   * build argument not in `buildArgs` may be set by them.
   */
  otherArgs?: Unknown;
  /** The stage built (`--target`); undefined: the last stage. Unknown: which stages are built is not known. */
  target: Value<string> | undefined;
  push: boolean;
  /**
   * The image is pushed by digest only (`outputs: type=image,push-by-digest=true`): no tag is written, a later
   * step merges the digests under the tags.
   */
  pushByDigest?: boolean;
  /**
   * The build command runs only on some paths through its script: in an `if`/`case`/loop body, in a function
   * called so, after `&&`/`||`, or after an `exit`/`return` the script may take.
   */
  onBranch?: true;
  /** Script builds: the command of a workflow step that runs the script (directly, not through another script). */
  invokedAt?: Site;
  /** Script builds: nothing in the repository runs the script; it was scanned on its own. */
  standalone?: true;
  /** Named build contexts (bake `contexts`, `--build-context`): name → `target:<t>`, `docker-image://…` or a path. */
  namedContexts: Record<string, string>;
  /** Where the definition writes each part (explicit definitions only). */
  sites?: {
    definition: Site;
    dockerfile?: Site;
    context?: Site;
    platforms?: Site;
    /** Parallel to `tags`. */
    tags: Site[];
  };
  /** The workflow job that runs this build (workflow builds, and scripts a workflow job runs). */
  job?: { workflow: Workflow; job: WorkflowJob };
  /** Runner label sets this build runs on (its own matrix combination for workflow builds); default: the job's. */
  runsOn?: { labels: string[]; site: Site }[];
  /**
   * The build runs on a remote service that builds each platform on a native machine (Depot): nothing of it is
   * emulated on the runner.
   */
  remoteBuilder?: string;
  /** The build sets up QEMU emulation (setup-qemu-action, binfmt) before it runs. */
  qemu?: boolean;
  /**
   * Steps or commands that run before this build in the same job or script and may write files into the
   * context (`npm run build`, a script): `outputs` when known, else their effects are unknown.
   */
  before: Effect[];
}

/**
 * A tag computed when a workflow runs, known by its shape: `sha-` and 7 hex digits, a version, `pr-` and a number.
 */
export interface TagShape {
  /** Said to the user: `sha-<7 hex>`, `<major>.<minor>.<patch>`, `pr-<number>`. */
  text: string;
  /** The tag with `${{ }}` in place of what is computed (`sha-${{ sha }}`): a pattern for readers of `tags`. */
  written: string;
  /** Anchored: every tag of this shape. */
  pattern: RegExp;
}

/** One Dockerfile stage as a given build sees it. */
export interface StageView {
  stage: DfStage;
  /** This stage and the local stages it is built FROM, base first. */
  chain: DfStage[];
  /** The image at the root of the chain, with ARGs resolved from the build's arguments. */
  base: Value<string>;
  /** `FROM --platform=$BUILDPLATFORM` on the chain: runs natively on the builder, never emulated. */
  buildPlatform: boolean;
  /** Part of what the build produces: the target's FROM chain and the stages it copies or mounts from. */
  built: boolean;
}

/** A Dockerfile as one build sees it: arguments, base images, which stages are built, how it is reached. */
export interface ImageView {
  id: string;
  build: Build;
  dockerfile: Dockerfile;
  file: SourceFile;
  /** A build site in the repository builds it (false for a Dockerfile nothing builds). */
  reached: boolean;
  /** The stage produced: the build's target, else the last stage. */
  target: DfStage | undefined;
  /** Index-aligned with `dockerfile.stages`. */
  stages: StageView[];
  /**
   * Platforms built under emulation: known when the build's platforms and its builder (a CI runner label) are,
   * and the build sets up QEMU.
   */
  emulated: Value<Platform[]>;
}

export interface Targets {
  platforms: Platform[];
  /** `crossdock.yaml`, a file:line that declared them, or `default`. */
  source: string;
  /** Set by crossdock.yaml or --platform, or by a build definition: not a default. */
  declared: boolean;
}

export interface CrossdockConfig {
  /** Path of the config file, undefined when none. */
  path: string | undefined;
  platforms: Platform[] | undefined;
  /** rule id → severity or 'off'. */
  rules: Record<string, 'error' | 'warning' | 'info' | 'off'>;
  /** Glob patterns of paths to ignore. */
  ignore: string[];
  /** Everything else in the file, validated by the commands that use it. */
  raw: Record<string, unknown>;
}

/** Python files read because an image runs them (entry modules): path → text. */
export interface PyModule {
  path: string;
  file: SourceFile;
}

/** A shell script read because a Dockerfile RUN executes it: what its commands do. */
export interface RunScript {
  path: string;
  facts: ShellFacts;
}

/** Objects applied together: one kustomization rendered with its bases, or one folder of plain manifests. */
export interface DeploymentUnit {
  id: string;
  kind: 'kustomization' | 'folder' | 'compose' | 'helm';
  /** The kustomization file, the folder or the compose file. */
  path: string;
  /** Indexes into the model's `deployments.workloads`. */
  workloads: number[];
  services: number[];
  claims: number[];
  autoscalers: number[];
  ingresses: number[];
  /** Replica counts set by patches of this unit: workload index → replicas. */
  replicas: Map<number, { value: number; site: Site }>;
  /** Reached: applied by something in the repository, or a top-level kustomization / compose file / chart. */
  reached: boolean;
  /** Every file the unit is made of (resources, patches, nested kustomizations). */
  files: Set<string>;
  /** Kustomization units: for each resource file, the kustomizations whose `images:` apply to it, innermost first. */
  kustomizations?: Map<string, Kustomization[]>;
}

/** Which files and Dockerfile stages something in the repository builds or deploys. */
export interface Reach {
  files: Set<string>;
  /** Dockerfile path → spans of stages some reached build builds. */
  stages: Map<string, { start: number; end: number }[]>;
}

/** The typed project every rule sees. Built once per run; rules never read files. */
export interface ProjectModel {
  root: string;
  inventory: Inventory;
  config: CrossdockConfig;
  targets: Targets;
  /** Parsed source files by relative path (only the files some loader read). */
  sources: Map<string, SourceFile>;
  dockerfiles: Dockerfile[];
  /** `.dockerignore` by context directory (relative, `.` for root), or by Dockerfile path for `<Dockerfile>.dockerignore`. */
  dockerignores: Map<string, DockerIgnore>;
  python: {
    requirements: PyRequirementsFile[];
    pyprojects: PyProject[];
    setups: PySetup[];
    versionFiles: PyVersionFile[];
    modules: PyModule[];
    /**
     * Files of the build contexts of images that run Python, read for their imports: `.py` files, Python
     * scripts without an extension, and shell scripts (their words). A context file missing here was not read.
     */
    scanned: Map<string, PyImports | PyContextScript>;
  };
  node: {
    packageJsons: PackageJson[];
    nvmrcs: Nvmrc[];
  };
  gitmodules: Gitmodules | undefined;
  builds: Build[];
  /** Every (build, Dockerfile) pair, plus one view for each Dockerfile no build site builds. */
  images: ImageView[];
  /** Scripts Dockerfile RUNs and entrypoints execute, read from the build context. */
  runScripts: RunScript[];
  /**
   * Programs crossdock does not read that build or push images (a release script in JavaScript or Python that
   * calls `docker buildx build`): what they push is not known, so "no build pushes this tag" cannot be claimed.
   */
  opaqueBuilders: { site: Site; what: string }[];
  /** Commands that retag or copy images into a registry (`docker tag`/`push`, `crane copy`, `skopeo copy`…). */
  imageCopies: ImageCopy[];
  /** Builders set up on other machines (a buildx endpoint, remote/kubernetes/cloud driver): architecture unknown. */
  remoteBuilders: RemoteBuilder[];
  deployments: Deployments;
  units: DeploymentUnit[];
  workflows: Workflow[];
  compose: ComposeProject[];
  /** Every registry host named in builds, deployments, logins and buildkitd.toml. */
  registries: RegistryMention[];
  buildkitd: { file: string; registries: BuildkitdRegistry[] }[];
  reach: Reach;
  /** Compose files a workflow, script or Makefile runs (`docker compose -f X up`). */
  composeRuns: Set<string>;
  /**
   * What registries hold for the images the repository names (`check --online` only), by reference as written:
   * the platforms of the index, or of the single image; or why it could not be read.
   */
  online?: Map<string, { platforms: string[]; index: boolean } | { error: string }>;
  /**
   * What the Python package index has for each requirement the images install, per target platform (`check
   * --online` only, read once by src/deps/online.ts); undefined offline or when no index could be asked.
   */
  wheels?: WheelFact[];
  /** Findings produced while loading (parse errors) — reported like rule findings. */
  loadFindings: Finding[];
  notes: string[];
}

/** The part of a model that compose, Kubernetes, workflow, script and bake loaders fill; empty to start with. */
export function emptyDeployments(): Deployments {
  return {
    kustomizations: [],
    workloads: [],
    services: [],
    ingresses: [],
    claims: [],
    autoscalers: [],
    namespaces: [],
    images: [],
  };
}

/** A command that writes existing images under other references (a retag, a copy between registries). */
export interface ImageCopy {
  site: Site;
  /** The command and where it is, for messages. */
  what: string;
  /** The references it writes, variables left in place when not known; undefined when they cannot be read. */
  refs: string[] | undefined;
}

/** A `docker buildx create` or `setup-buildx-action` whose builder runs elsewhere. */
export interface RemoteBuilder {
  site: Site;
  /** The command or step and where it is, for messages. */
  what: string;
}

/** A command or step that may write files: the repository paths it creates, or undefined when not known. */
export interface Effect {
  site: Site;
  what: string;
  outputs: string[] | undefined;
}

/** A verdict of the package index for one requirement on one platform (see src/deps/types.ts PlatformVerdict). */
export interface WheelVerdict {
  status: 'pure' | 'wheel' | 'sdist' | 'missing' | 'unknown' | 'not-required';
  version: string | undefined;
  file?: string;
  /** For `sdist`: a compiler is needed; null when not known. */
  needsCompiler: boolean | null;
  reason?: string;
}

/** One requirement an image (Dockerfile stage) installs, and what the index has for it on each target platform. */
export interface WheelFact {
  /** The Dockerfile path. */
  dockerfile: string;
  /** The image's name in `crossdock deps` (`Dockerfile (stage build)`). */
  image: string;
  requirement: string;
  name: string;
  source: { file: string; line: number };
  /** Target platforms this image is built for under emulation. */
  emulated: string[];
  /** The interpreter and libc of each target (`3.12, glibc 2.36`), for messages. */
  targets: Record<string, string>;
  platforms: Record<string, WheelVerdict>;
}
