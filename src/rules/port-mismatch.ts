import { createRule, type RuleContext } from '../engine/rule.js';
import type { Container, HelmPortUse, HelmTemplate, HelmValues, Site } from '../model/deploy.js';
import { dirname, joinPath } from '../model/repo.js';
import { unknown } from '../model/value.js';
import { buildProducing } from '../engine/link.js';
import type { ImageView } from '../model/project.js';
import { containerView, exposedPorts, listeningPort, workloadLabel } from './lib/deploy.js';

export default createRule<'mismatch' | 'exposeOnly' | 'helm'>({
  meta: {
    id: 'port-mismatch',
    severity: 'error',
    category: 'deploy',
    summary:
      'A deployment expects a port (containerPort, probe, Service targetPort, compose port) other than the one the program listens on; or EXPOSE disagrees with every consumer.',
    messages: {
      mismatch:
        '{{what}} of {{workload}} uses port {{port}}, but the container listens on {{listening}} ({{how}}): {{consequence}}',
      exposeOnly:
        'EXPOSE documents {{declared}}, but {{consumers}} {{use}} {{ports}}: one side is wrong (crossdock cannot tell which port the program listens on)',
      helm: '{{subject}} is {{uses}} of the {{kind}} in chart {{chart}}, but the container listens on {{listening}} ({{how}}): {{consequence}}',
    },
    hint: 'make the port agree in one place: change the manifest/compose port, or the port the program listens on (and EXPOSE)',
  },
  check(ctx) {
    const { model } = ctx;
    const exposeOnly = new Map<
      string,
      {
        view: ImageView;
        declared: number[];
        uses: { port: number; site: Site; who: string }[];
      }
    >();
    model.deployments.workloads.forEach((w, index) => {
      for (const c of w.containers) {
        const produced = containerView(model, c);
        if (!produced) continue;
        if (!produced.known) {
          ctx.unknown(
            { ...produced, site: produced.site ?? c.image?.site },
            `the port ${workloadLabel(w)} is served on`,
          );
          continue;
        }
        const view = produced.value;
        const named = new Map(c.ports.filter((p) => p.name).map((p) => [p.name ?? '', p.port]));
        const uses: { what: string; port: number; site: Site; consequence: string; documents?: boolean }[] =
          [];
        for (const p of c.ports)
          uses.push({
            documents: w.origin === 'kubernetes',
            what: w.origin === 'compose' ? 'the container side of `ports`' : 'containerPort',
            port: p.port,
            site: p.site,
            consequence:
              w.origin === 'compose' ? 'the published port reaches nothing' : 'traffic to it reaches nothing',
          });
        for (const probe of c.probes) {
          const port = typeof probe.port === 'number' ? probe.port : named.get(probe.port);
          if (port !== undefined)
            uses.push({
              what: `the ${probe.kind} probe`,
              port,
              site: probe.site,
              consequence: 'the probe fails and the container is restarted or never ready',
            });
        }
        if (w.origin === 'kubernetes')
          for (const unit of model.units.filter((u) => u.workloads.includes(index)))
            for (const si of unit.services) {
              const svc = model.deployments.services[si];
              if (!svc) continue;
              const sel = Object.entries(svc.selector);
              if (
                sel.length === 0 ||
                (svc.namespace ?? '') !== (w.namespace ?? '') ||
                !sel.every(([k, v]) => w.labels[k] === v)
              )
                continue;
              for (const sp of svc.ports) {
                const port = typeof sp.targetPort === 'number' ? sp.targetPort : named.get(sp.targetPort);
                if (
                  port !== undefined &&
                  !uses.some((u) => u.site.span.start === sp.site.span.start && u.site.file === sp.site.file)
                )
                  uses.push({
                    what: `Service "${svc.name}" targetPort`,
                    port,
                    site: sp.site,
                    consequence: 'the Service has no working endpoint',
                  });
              }
            }
        if (uses.length === 0) continue;
        const listening = listeningPort(model, c, view);
        if (listening.known) {
          for (const u of uses) {
            if (u.port === listening.value.port) continue;
            // Kubernetes does not route by containerPort: alone, it only documents the port.
            const routed = !u.documents || uses.some((o) => !o.documents && o.port === u.port);
            ctx.report({
              messageId: 'mismatch',
              severity: routed ? 'error' : 'info',
              data: {
                what: u.what,
                workload: workloadLabel(w),
                port: u.port,
                listening: listening.value.port,
                how: listening.value.how,
                consequence: u.consequence,
              },
              file: u.site.file,
              span: u.site.span,
              related: listening.value.site
                ? [
                    {
                      file: listening.value.site.file,
                      span: listening.value.site.span,
                      message: `listens on ${listening.value.port} here`,
                    },
                  ]
                : [],
            });
          }
          continue;
        }
        const declared = exposedPorts(view);
        const ports = [...new Set(declared.map((d) => d.port))];
        if (ports.length === 0 || uses.some((u) => ports.includes(u.port))) {
          if (ports.length === 0)
            ctx.unknown(
              { ...listening, site: listening.site ?? uses[0]?.site },
              `the port ${workloadLabel(w)} is served on`,
            );
          continue;
        }
        const first = declared[0];
        if (!first) continue;
        const key = `${view.file.path}:${first.ins.span.start}`;
        const entry = exposeOnly.get(key) ?? { view, declared: ports, uses: [] };
        for (const u of uses) entry.uses.push({ port: u.port, site: u.site, who: workloadLabel(w) });
        exposeOnly.set(key, entry);
      }
    });
    for (const f of helmMismatches(ctx)) ctx.report(f);
    // EXPOSE alone disagrees with every consumer: one warning at the EXPOSE line, the consumers as sites.
    for (const e of exposeOnly.values()) {
      const ins = exposedPorts(e.view)[0]?.ins;
      if (!ins) continue;
      const consumers = [...new Set(e.uses.map((u) => u.who))];
      ctx.report({
        messageId: 'exposeOnly',
        severity: 'warning',
        data: {
          declared: plural('port', e.declared),
          consumers: consumers.join(', '),
          use: consumers.length === 1 ? 'uses' : 'use',
          ports: plural(
            'port',
            [...new Set(e.uses.map((u) => u.port))].sort((a, b) => a - b),
          ),
        },
        file: e.view.file,
        span: ins.span,
        sites: e.uses.map((u) => u.site),
      });
    }
  },
});

/** `port 80`, `ports 80, 443`. */
function plural(noun: string, values: number[]): string {
  return `${noun}${values.length === 1 ? '' : 's'} ${values.join(', ')}`;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const CONSEQUENCE = {
  probe: 'the probe fails and the container is restarted or never ready',
  targetPort: 'the Service has no working endpoint',
  containerPort: 'traffic to it reaches nothing',
};

/** A chart port use with its number: where the number is written (values or template) and what uses it. */
interface HelmUse {
  use: HelmPortUse;
  port: number;
  /** The values scalar the number comes from, when it is not written in the template. */
  from?: { path: string; site: Site };
  /** The containerPort a probe or targetPort names (one root cause with it). */
  anchor?: Site;
}

/**
 * Helm charts: the ports a chart's workload template and Service templates use, with the chart's default values
 * (`<chart>/values.yaml`), against the port the image's program listens on. One finding per values key (or per
 * number written in a template), however many template lines use it.
 */
function helmMismatches(ctx: RuleContext<'mismatch' | 'exposeOnly' | 'helm'>) {
  const { model } = ctx;
  const templates = model.deployments.helmTemplates ?? [];
  const values = model.deployments.helmValues ?? [];
  const charts = new Map<string, HelmTemplate[]>();
  for (const t of templates) {
    const chart = dirname(dirname(t.file.path));
    charts.set(chart, [...(charts.get(chart) ?? []), t]);
  }
  const out: Parameters<typeof ctx.report>[0][] = [];
  for (const [chart, ts] of charts) {
    const workloads = ts.filter((t) => t.kinds.some((k) => WORKLOADS.has(k)));
    const defaults = values.find(
      (v) => v.file.path === joinPath(chart, 'values.yaml') || v.file.path === joinPath(chart, 'values.yml'),
    );
    for (const t of workloads) {
      const kind = t.kinds[0] ?? '';
      const image = t.images[0];
      // One workload with one container image per file: otherwise which container a port belongs to is not known.
      if (t.kinds.length !== 1 || t.images.length !== 1 || !image || !defaults) continue;
      const services =
        workloads.length === 1
          ? ts.filter((s) => s.kinds.length > 0 && s.kinds.every((k) => k === 'Service'))
          : [];
      const resolved = resolveUses(ctx, [...t.ports, ...services.flatMap((s) => s.ports)], defaults, values);
      if (resolved.length === 0) continue;
      const repo = defaults.scalars.get(`${image}.repository`);
      if (!repo?.value) continue;
      const registry = defaults.scalars.get(`${image}.registry`)?.value;
      const tag = defaults.scalars.get(`${image}.tag`)?.value;
      const ref = `${registry ? `${registry}/` : ''}${repo.value}${tag ? `:${tag}` : ''}`;
      const b = buildProducing(model.builds, ref, repo.site);
      if (!b) continue;
      const what = `the port the ${kind} of chart ${chart} is served on`;
      if (!b.known) {
        ctx.unknown(b, what);
        continue;
      }
      const view = model.images.find((v) => v.build === b.value);
      if (!view) continue;
      if (t.command) {
        ctx.unknown(
          unknown('effects', `${t.file.path} sets the container's command or args`, {
            file: t.file,
            span: { start: 0, end: 0 },
          }),
          what,
        );
        continue;
      }
      const c: Container = {
        name: '',
        image: undefined,
        pullPolicy: undefined,
        ports: [],
        probes: [],
        securityContext: {},
        buildId: b.value.id,
        env: {},
        envElsewhere: t.env
          ? [
              {
                names: undefined,
                site: { file: t.file, span: { start: 0, end: 0 } },
                what: `${t.file.path}'s env`,
              },
            ]
          : undefined,
      };
      const listening = listeningPort(model, c, view);
      if (!listening.known) {
        ctx.unknown(
          { ...listening, site: listening.site ?? { file: t.file, span: { start: 0, end: 0 } } },
          what,
        );
        continue;
      }
      const at = listening.value.port;
      // A containerPort's name routes traffic when a probe or Service targetPort names it.
      const named = new Set(
        resolved.flatMap((r) =>
          r.use.kind !== 'containerPort' && 'name' in r.use.port ? [r.use.port.name] : [],
        ),
      );
      const groups = new Map<string, HelmUse[]>();
      for (const r of resolved) {
        if (r.port === at) continue;
        const a = r.anchor ?? r.use.site;
        const key = r.from ? `v:${r.from.path}` : `t:${a.file.path}:${a.span.start}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      for (const g of groups.values()) {
        const first = g[0] as HelmUse;
        const strongest =
          g.find((r) => r.use.kind === 'probe') ??
          g.find((r) => r.use.kind === 'targetPort') ??
          g.find((r) => r.use.item && named.has(r.use.item));
        const routed = !!strongest;
        const consequence = strongest
          ? strongest.use.kind === 'containerPort'
            ? CONSEQUENCE.containerPort
            : CONSEQUENCE[strongest.use.kind]
          : CONSEQUENCE.containerPort;
        const uses = [...new Set(g.map((r) => useLabel(r.use)))];
        const site = first.from?.site ?? first.use.site;
        out.push({
          messageId: 'helm',
          // Kubernetes does not route by containerPort: alone, it only documents the port.
          severity: routed ? 'error' : 'info',
          data: {
            subject: first.from
              ? `\`${first.from.path}: ${first.port}\` in ${site.file.path}`
              : `port ${first.port}`,
            uses: uses.length === 1 ? (uses[0] ?? '') : `${uses.slice(0, -1).join(', ')} and ${uses.at(-1)}`,
            kind,
            chart,
            listening: at,
            how: listening.value.how,
            consequence,
          },
          file: site.file,
          span: site.span,
          related: [
            ...g
              .filter((r) => r.use.site !== site)
              .map((r) => ({
                file: r.use.site.file,
                span: r.use.site.span,
                message: `used as ${useLabel(r.use)} here`,
              })),
            ...(listening.value.site
              ? [
                  {
                    file: listening.value.site.file,
                    span: listening.value.site.span,
                    message: `listens on ${at} here`,
                  },
                ]
              : []),
          ],
        });
      }
    }
  }
  return out;
}

function useLabel(u: HelmPortUse): string {
  if (u.kind === 'probe') return `the ${u.probe} probe port`;
  if (u.kind === 'targetPort') return 'the Service targetPort';
  return 'the containerPort';
}

/**
 * The numbers of a chart's port uses, from the template or the chart's default values. A values key that another
 * values file or a `--set` in the repository also sets is not what every install uses: an unknown, not a number.
 */
function resolveUses(
  ctx: RuleContext<'mismatch' | 'exposeOnly' | 'helm'>,
  uses: HelmPortUse[],
  defaults: HelmValues,
  all: HelmValues[],
): HelmUse[] {
  const out: HelmUse[] = [];
  const names = new Map<string, number>();
  const pending: { use: HelmPortUse; name: string; from?: HelmUse['from'] }[] = [];
  const overridden = (path: string, site: Site): boolean => {
    const other = all.find((v) => v !== defaults && v.scalars.has(path));
    const set = other
      ? undefined
      : [...ctx.model.sources.values()].find((f) =>
          new RegExp(`--set(?:-string)?[= ]["']?(?:[^\\s"']*,)?${path.replace(/\./g, '\\.')}=`).test(f.text),
        );
    if (!other && !set) return false;
    ctx.unknown(
      unknown(
        'branch',
        `${path} is set in ${other ? other.file.path : `${set?.path} (--set)`} too, so the port an install uses is not known`,
        site,
      ),
      'the port a chart value sets',
    );
    return true;
  };
  for (const use of uses) {
    const p = use.port;
    if ('number' in p) out.push({ use, port: p.number });
    else if ('name' in p) pending.push({ use, name: p.name });
    else {
      const path = 'values' in p ? p.values : undefined;
      const probePaths =
        'probeValues' in p ? ['httpGet', 'tcpSocket', 'grpc'].map((k) => `${p.probeValues}.${k}.port`) : [];
      const key = path ?? probePaths.find((k) => defaults.scalars.has(k));
      const v = key ? defaults.scalars.get(key) : undefined;
      if (!key || !v || overridden(key, v.site)) continue;
      const from = { path: key, site: v.site };
      if (/^\d+$/.test(v.value)) out.push({ use, port: Number(v.value), from });
      else if (/^[a-z][a-z0-9-]*$/.test(v.value)) pending.push({ use, name: v.value, from });
    }
  }
  for (const r of out) if (r.use.kind === 'containerPort' && r.use.item) names.set(r.use.item, r.port);
  for (const q of pending) {
    const n = names.get(q.name);
    // A probe or targetPort naming a port: its number is the named containerPort's, one root cause with it.
    if (n !== undefined) {
      const target = out.find((r) => r.use.kind === 'containerPort' && r.use.item === q.name);
      out.push({ use: q.use, port: n, from: target?.from, anchor: target?.use.site });
    }
  }
  return out;
}
