import { createRule } from '../engine/rule.js';
import type { Site } from '../model/deploy.js';
import { containerBuild, declaredPorts, dockerfileOf, workloadLabel } from './lib/deploy.js';

export default createRule<'mismatch'>({
  meta: {
    id: 'port-mismatch',
    severity: 'error',
    category: 'deploy',
    summary:
      'A deployment expects a port (containerPort, probe, Service targetPort, compose port) that the image does not declare (EXPOSE, ENV PORT).',
    messages: {
      mismatch:
        '{{what}} of {{workload}} uses port {{port}}, but the image built from {{dockerfile}} declares {{declared}}: {{consequence}}',
    },
    hint: 'make the port agree in one place: change the manifest/compose port, or the EXPOSE/ENV PORT (and the port the program listens on)',
  },
  check(ctx) {
    const { model } = ctx;
    for (const w of model.deployments.workloads) {
      for (const c of w.containers) {
        const build = containerBuild(model, c);
        const df = dockerfileOf(model, build);
        if (!df || !build) continue;
        const declared = declaredPorts(df, build);
        if (declared.length === 0) continue;
        const ports = new Set(declared.map((d) => d.port));
        const dfFile = model.sources.get(df.path);
        const related = dfFile
          ? declared.slice(0, 3).map((d) => ({
              file: dfFile,
              span: d.ins.span,
              message: `the image declares port ${d.port} here`,
            }))
          : [];
        const named = new Map(c.ports.filter((p) => p.name).map((p) => [p.name ?? '', p.port]));
        const expect = (what: string, port: number, site: Site, consequence: string) => {
          if (ports.has(port)) return;
          ctx.report({
            messageId: 'mismatch',
            data: {
              what,
              workload: workloadLabel(w),
              port,
              dockerfile: df.path,
              declared: [...ports].sort((a, b) => a - b).join(', '),
              consequence,
            },
            file: site.file,
            span: site.span,
            related,
          });
        };
        for (const p of c.ports)
          expect(
            w.origin === 'compose' ? 'the container side of `ports`' : 'containerPort',
            p.port,
            p.site,
            w.origin === 'compose' ? 'the published port reaches nothing' : 'traffic to it reaches nothing',
          );
        for (const probe of c.probes) {
          const port = typeof probe.port === 'number' ? probe.port : named.get(probe.port);
          if (port === undefined) continue;
          expect(
            `the ${probe.kind} probe`,
            port,
            probe.site,
            'the probe fails and the container is restarted or never ready',
          );
        }
        if (w.origin !== 'kubernetes') continue;
        for (const svc of model.deployments.services) {
          const sel = Object.entries(svc.selector);
          if (sel.length === 0 || (svc.namespace ?? '') !== (w.namespace ?? '')) continue;
          if (!sel.every(([k, v]) => w.labels[k] === v)) continue;
          for (const sp of svc.ports) {
            const port = typeof sp.targetPort === 'number' ? sp.targetPort : named.get(sp.targetPort);
            if (port === undefined) continue;
            expect(`Service "${svc.name}" targetPort`, port, sp.site, 'the Service has no working endpoint');
          }
        }
      }
    }
  },
});
