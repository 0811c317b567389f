import { createRule } from '../engine/rule.js';
import type { Site } from '../model/deploy.js';
import type { ImageView } from '../model/project.js';
import { containerView, exposedPorts, listeningPort, workloadLabel } from './lib/deploy.js';

export default createRule<'mismatch' | 'exposeOnly'>({
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
