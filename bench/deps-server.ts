/** The PEP 691 test index (test/helpers/pyindex.ts) as a process of its own, for bench/deps.ts: prints its URL. */
import { startJsonIndex } from '../test/helpers/pyindex.js';

const root = process.argv[2];
if (!root) throw new Error('usage: deps-server.ts <tree>');
const index = await startJsonIndex(root, { cacheControl: 'max-age=600' });
console.log(index.url);
process.on('SIGTERM', () => {
  void index.close().then(() => process.exit(0));
});
