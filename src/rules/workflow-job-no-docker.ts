import { createRule } from '../engine/rule.js';
import { imageShipsDocker } from '../knowledge/images.js';
import { runnerWithoutDocker } from '../knowledge/runners.js';
import type { Site, WorkflowJob, WorkflowStep } from '../model/deploy.js';
import { hasUnresolved } from '../model/image-ref.js';
import type { CommandFacts } from '../model/shell.js';

/** Actions that need a Docker CLI and engine on the machine the job's steps run on. */
const DOCKER_ACTIONS = new Set([
  'docker/build-push-action',
  'docker/bake-action',
  'docker/setup-buildx-action',
]);

/** Actions known not to install Docker: any other action before the first docker step may. */
const NO_INSTALL_ACTIONS =
  /^(actions\/(checkout|setup-[\w-]+|cache|upload-artifact|download-artifact|github-script)|docker\/(login-action|metadata-action|setup-qemu-action)|aws-actions\/configure-aws-credentials|azure\/login|google-github-actions\/auth|pnpm\/action-setup)$/;

/** Commands before which a `&&` does not make the next one conditional (they succeed where the job can run). */
const SETUP = new Set(['cd', 'pushd', 'echo', 'printf', 'mkdir', 'export', 'set', 'true']);

/** Commands that look for a program. */
const PROBES = new Set(['command', 'which', 'type', 'hash']);

/** Text that may install or start Docker (or another engine answering `docker`). */
const INSTALLS_DOCKER = /docker|colima|podman|lima|moby|containerd/i;

/** The command runs whenever the step does, and its failure fails the step. */
function unconditional(c: CommandFacts, all: CommandFacts[]): boolean {
  const i = all.indexOf(c);
  const prev = all[i - 1];
  if (c.command.depth > 0 || c.masked || c.command.next === '||') return false;
  if (prev?.command.next === '||') return false;
  return !(prev?.command.next === '&&' && !SETUP.has(prev.name ?? ''));
}

type Use = { site: Site; what: string };

/**
 * The first step of the job that runs Docker whenever the job runs, before anything that may install it; undefined
 * when there is none, or when an earlier step may install Docker (an action not known, a script, a package install
 * naming docker).
 */
function firstDockerUse(job: WorkflowJob): Use | undefined {
  for (const step of job.steps) {
    if (step.uses) {
      const action = step.uses.action;
      if (DOCKER_ACTIONS.has(action)) {
        if (!step.if) return { site: step.uses.site, what: `\`${action}\`` };
        continue;
      }
      if (!NO_INSTALL_ACTIONS.test(action)) return undefined;
    }
    const use = runUse(step);
    if (use !== 'none') return use;
  }
  return undefined;
}

/** A `docker` command a run step always runs; undefined when something before it may install Docker. */
function runUse(step: WorkflowStep): Use | undefined | 'none' {
  const run = step.run;
  if (!run) return 'none';
  const all = run.facts.commands;
  for (const c of all) {
    // `command -v docker`, `which docker`: the step looks for Docker and may do without it.
    if (PROBES.has(c.command.argv[0]?.value ?? '')) {
      if (c.command.argv.some((w) => w.value === 'docker')) return undefined;
      continue;
    }
    if (c.name === 'docker') {
      if (!step.if && unconditional(c, all)) {
        const words = c.argv
          .slice(0, 3)
          .map((w) => w.value)
          .filter((w) => !w.startsWith('-'));
        return { site: { file: run.site.file, span: c.command.span }, what: `\`${words.join(' ')}\`` };
      }
      continue;
    }
    const text = run.site.file.text.slice(c.command.span.start, c.command.span.end);
    if (c.script || INSTALLS_DOCKER.test(text)) return undefined;
  }
  return 'none';
}

/** Where a runner label set is written: the matrix value that names it, else `runs-on`. */
function labelSite(job: WorkflowJob, set: WorkflowJob['runsOn'][number]): Site {
  for (const values of Object.values(job.matrix))
    for (const v of values) if (set.labels.includes(v.value)) return v.site;
  return set.site;
}

export default createRule<'container' | 'runner'>({
  meta: {
    id: 'workflow-job-no-docker',
    severity: 'error',
    category: 'ci',
    summary:
      'A workflow job that runs docker, buildx or build-push steps inside a `container:` image with no Docker CLI and no socket mounted, or on a runner image that ships no Docker (macOS).',
    messages: {
      container:
        'job "{{job}}" runs {{what}} inside the container `{{image}}`, which has no Docker CLI, and no Docker socket is mounted: the step fails, finding no docker to run',
      runner:
        'job "{{job}}" runs {{what}} on [{{runner}}]: {{reason}}, so the step fails, finding no docker to run',
    },
    hint: 'run the job on an ubuntu runner without `container:`, or use a `docker:` image and mount the socket (`container.volumes: [/var/run/docker.sock:/var/run/docker.sock]`), or install the Docker CLI in a step before',
  },
  check(ctx) {
    const { model } = ctx;
    for (const wf of model.workflows) {
      // A Docker daemon reached over TCP (a dind service): buildx and the actions need no local socket.
      if (/DOCKER_HOST|dind/.test(wf.file.text)) continue;
      for (const job of wf.jobs) {
        const inJob = (s: Site) =>
          job.steps.some(
            (st) =>
              st.site.file === s.file && st.site.span.start <= s.span.start && s.span.end <= st.site.span.end,
          );
        // A builder on other machines (kubernetes, remote, cloud driver) builds without a local engine.
        if (model.remoteBuilders.some((r) => inJob(r.site))) continue;
        const c = job.container;
        let report:
          | { messageId: 'container' | 'runner'; data: Record<string, string>; related: Site }
          | undefined;
        if (c) {
          const image = c.image;
          if (
            !image ||
            hasUnresolved(image.value) ||
            c.dockerSocket ||
            imageShipsDocker(image.value) !== false
          )
            continue;
          report = { messageId: 'container', data: { image: image.value }, related: image.site };
        } else {
          const set = job.runsOn.find((r) => runnerWithoutDocker(r.labels));
          if (!set) continue;
          report = {
            messageId: 'runner',
            data: { runner: set.labels.join(', '), reason: runnerWithoutDocker(set.labels) ?? '' },
            related: labelSite(job, set),
          };
        }
        const use = firstDockerUse(job);
        if (!use) continue;
        ctx.report({
          messageId: report.messageId,
          data: { job: job.id, what: use.what, ...report.data },
          file: use.site.file,
          span: use.site.span,
          related: [
            {
              file: report.related.file,
              span: report.related.span,
              message:
                report.messageId === 'container'
                  ? `the job's steps run in \`${report.data.image}\``
                  : `the job runs on [${report.data.runner}]`,
            },
          ],
        });
      }
    }
  },
});
