/**
 * entrypoint-not-server, one condition at a time: which interpreter names and options make `python app.py` a
 * module run, which words are the module, a package folder of the module's name, and how ports are listed.
 */
import rule from '../../src/rules/entrypoint-not-server.js';
import { at, type Expected, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'entrypoint-not-server';
const APP = 'import json\nimport os\n\nprint(json.dumps({"mode": os.environ.get("MODE", "web")}))\n';
const compose = (ports = ['8000:8000']) =>
  [
    'services:',
    '  web:',
    '    build: .',
    '    image: example/app:dev',
    '    ports:',
    ...ports.map((p) => `      - "${p}"`),
    '',
  ].join('\n');
const repo = (cmd: string, over: Record<string, string> = {}): RuleCase['repo'] => ({
  files: {
    Dockerfile: `FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n${cmd}\n`,
    'app.py': APP,
    'compose.yaml': compose(),
    ...over,
  },
});
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const batch = (command: string, file = 'app.py', ports = 'port 8000'): Expected =>
  at(R, 'warning', 'compose.yaml', 4, 12, {
    message: new RegExp(
      `^compose service "web" is long-running with ${literal(ports)}, but the image's ENTRYPOINT/CMD runs \`${literal(command)}\`, a script with no server call, loop or thread \\(\`${literal(file)}\`\\)`,
    ),
  });

const cases: RuleCase[] = [];
const add = (name: string, r: RuleCase['repo'], expect: Expected[]) => cases.push({ name, repo: r, expect });

add('interpreter: `python3`', repo('CMD ["python3", "app.py"]'), [batch('python3 app.py')]);
add('interpreter: `python3.12`', repo('CMD ["python3.12", "app.py"]'), [batch('python3.12 app.py')]);
add(
  'interpreter: `ipython` is not python (the name is matched whole)',
  repo('CMD ["ipython", "app.py"]'),
  [],
);
add('interpreter: `python-wrapper` is not python', repo('CMD ["python-wrapper", "app.py"]'), []);
add('options: `-u` before the script', repo('CMD ["python", "-u", "app.py"]'), [batch('python -u app.py')]);
add('options: `-uB` grouped', repo('CMD ["python", "-uB", "app.py"]'), [batch('python -uB app.py')]);
add('arguments after the script do not make it a module', repo('CMD ["python", "app.py", "serve"]'), [
  batch('python app.py serve'),
]);
add('a script without `.py` is not claimed', repo('CMD ["python", "app"]', { app: APP }), []);
add(
  '`-m app` with a package folder `app/` anywhere in the context imports the package',
  repo('CMD ["python", "-m", "app"]', { 'lib/app/util.py': 'X = 1\n' }),
  [],
);
add('`-m app` with only the module', repo('CMD ["python", "-m", "app"]'), [batch('python -m app')]);
add(
  'ports: listed in order, with commas and `and`',
  repo('CMD ["python", "app.py"]', { 'compose.yaml': compose(['8000:8000', '80:80', '443:443']) }),
  [batch('python app.py', 'app.py', 'ports 80, 443 and 8000')],
);

ruleTest(rule, cases);
