import type {
  BuildkitdRegistry,
  ComposeProject,
  Deployments,
  RegistryMention,
  Site,
  Workflow,
  WorkflowJob,
} from './deploy.js';
import type { Dockerfile, DockerIgnore } from './dockerfile.js';
import type { Finding } from './finding.js';
import type { Gitmodules } from './git.js';
import type { Nvmrc, PackageJson } from './node.js';
import type { Platform } from './platform.js';
import type { PyProject, PyRequirementsFile, PySetup, PyVersionFile } from './python.js';
import type { Location, SourceFile } from './source.js';

/**
 * How a file stands with respect to a clean CI checkout.
 * - `tracked`: in the git index, so a clean clone has it.
 * - `untracked`: on disk, not in the index, not ignored: a clean clone lacks it (someone forgot `git add`).
 * - `ignored`: on disk and ignored by git: a clean clone lacks it.
 * - `plain`: the root is not a git repository; every file found is taken as present.
 */
export type FileStatus = 'tracked' | 'untracked' | 'ignored' | 'plain';

export interface Inventory {
  /** Absolute path of the project root. */
  root: string;
  /** True when the root is (inside) a git work tree. */
  git: boolean;
  /** Every known file, relative path → status. Directories are not listed. Gitlinks are not files. */
  files: Map<string, FileStatus>;
  /** Gitlinks (mode 160000 entries in the index): path → commit. */
  gitlinks: Map<string, string>;
  /** Directories git ignores as a whole (listed once, not walked), relative, without trailing slash. */
  ignoredDirs: string[];
  /** Notes about the load (not a git repository, unreadable folder, symlink loop...). */
  notes: string[];
}

/** Where a build was defined. */
export type BuildOrigin = 'dockerfile' | 'config' | 'compose' | 'workflow' | 'script' | 'makefile' | 'bake';

/** A node of the build graph: one place that builds one Dockerfile. A Dockerfile may have many. */
export interface Build {
  id: string;
  /** Dockerfile path relative to the root. */
  dockerfile: string;
  /** Build context relative to the root (`.` for the root). */
  context: string;
  /** Why this context: written in the definition, or inferred ('dockerfile-dir' / 'repo-root'). */
  contextSource: 'definition' | 'dockerfile-dir' | 'repo-root';
  platforms: Platform[];
  /** Where the platforms came from (e.g. `crossdock.yaml`, `.github/workflows/ci.yml:12`, `default`). */
  platformsSource: string;
  tags: string[];
  buildArgs: Record<string, string>;
  target: string | undefined;
  push: boolean;
  origin: BuildOrigin;
  definedAt: Location;
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
  /** The build sets up QEMU emulation (setup-qemu-action, binfmt) before it runs. */
  qemu?: boolean;
}

export interface Targets {
  platforms: Platform[];
  /** `crossdock.yaml`, a file:line that declared them, or `default`. */
  source: string;
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

/** The typed project every rule sees. Built once per run; rules never read files. */
export interface ProjectModel {
  root: string;
  inventory: Inventory;
  config: CrossdockConfig;
  targets: Targets;
  /** Parsed source files by relative path (only the files some parser read). */
  sources: Map<string, SourceFile>;
  dockerfiles: Dockerfile[];
  /** `.dockerignore` by context directory (relative, `.` for root). */
  dockerignores: Map<string, DockerIgnore>;
  python: {
    requirements: PyRequirementsFile[];
    pyprojects: PyProject[];
    setups: PySetup[];
    versionFiles: PyVersionFile[];
  };
  node: {
    packageJsons: PackageJson[];
    nvmrcs: Nvmrc[];
  };
  gitmodules: Gitmodules | undefined;
  builds: Build[];
  deployments: Deployments;
  workflows: Workflow[];
  compose: ComposeProject[];
  /** Every registry host named in builds, deployments, logins and buildkitd.toml. */
  registries: RegistryMention[];
  buildkitd: { file: string; registries: BuildkitdRegistry[] }[];
  /**
   * What registries hold for the images the repository names (`check --online` only), by reference as written:
   * the platforms of the index, or of the single image; or why it could not be read.
   */
  online?: Map<string, { platforms: string[]; index: boolean } | { error: string }>;
  /** Findings produced while loading (parse errors) — reported like rule findings. */
  loadFindings: Finding[];
}

const RANK: Record<FileStatus, number> = { tracked: 3, plain: 3, untracked: 2, ignored: 1 };
const dirIndex = new WeakMap<Inventory, Map<string, FileStatus>>();

/** Best status of any file below each directory (tracked wins), built once per inventory. */
function directories(inventory: Inventory): Map<string, FileStatus> {
  let index = dirIndex.get(inventory);
  if (index) return index;
  index = new Map();
  const add = (path: string, status: FileStatus) => {
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const dir = path.slice(0, i);
      const prev = index?.get(dir);
      if (prev && RANK[prev] >= RANK[status]) break;
      index?.set(dir, status);
    }
  };
  for (const [file, status] of inventory.files) add(file, status);
  for (const link of inventory.gitlinks.keys()) add(`${link}/x`, 'tracked');
  dirIndex.set(inventory, index);
  return index;
}

/**
 * Status of a path as a clean clone would see it: a file's own status; for a directory, the best status of any
 * file below it (tracked wins); `absent` when nothing is there at all.
 */
export function pathStatus(inventory: Inventory, path: string): FileStatus | 'absent' {
  const p = path.replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (p === '' || p === '.') return inventory.git ? 'tracked' : 'plain';
  const own = inventory.files.get(p);
  if (own) return own;
  if (inventory.gitlinks.has(p)) return 'tracked';
  const dir = directories(inventory).get(p);
  if (dir) return dir;
  for (const d of inventory.ignoredDirs) if (p === d || p.startsWith(`${d}/`)) return 'ignored';
  return 'absent';
}

/** The part of a model that compose, Kubernetes, workflow, script and bake loaders fill; empty to start with. */
export function emptyDeliveryModel(): Pick<
  ProjectModel,
  'deployments' | 'workflows' | 'compose' | 'registries' | 'buildkitd'
> {
  return {
    deployments: {
      kustomizations: [],
      workloads: [],
      services: [],
      ingresses: [],
      claims: [],
      autoscalers: [],
      namespaces: [],
      images: [],
    },
    workflows: [],
    compose: [],
    registries: [],
    buildkitd: [],
  };
}
