import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const script = join(repoRoot, 'scripts/check-import-cycles.mjs');
type Graph = Map<string, string[]>;
const checker = (await import(pathToFileURL(script).href)) as {
  readImportGraph(dir: string): Graph;
  findCycles(graph: Graph): string[][];
  forbiddenCycles(graph: Graph, allowed?: string[][]): string[][];
};

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A tree of modules: path → source. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cycles-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('check-import-cycles', () => {
  test('finds a cycle through imports, re-exports and multi-line import lists, and ignores dynamic imports', () => {
    const dir = tree({
      'a.js': "import { b } from './b.js';\n",
      'b.js': "export {\n  c,\n} from './sub/c.js';\n",
      'sub/c.js': "import '../a.js';\nconst lazy = () => import('../d.js');\n",
      'd.js': "import { a } from './a.js';\n",
    });
    const graph = checker.readImportGraph(dir);
    assert.deepEqual(graph.get('sub/c.js'), ['a.js']);
    assert.deepEqual(checker.findCycles(graph), [['a.js', 'b.js', 'sub/c.js']]);
  });

  test('a cycle inside an allowed group passes; one that draws in another module does not', () => {
    const allowed = [['x.js', 'y.js']];
    const inside = checker.readImportGraph(tree({ 'x.js': "import './y.js';\n", 'y.js': "import './x.js';\n" }));
    assert.deepEqual(checker.forbiddenCycles(inside, allowed), []);
    const beyond = checker.readImportGraph(tree({ 'x.js': "import './y.js';\n", 'y.js': "import './z.js';\n", 'z.js': "import './x.js';\n" }));
    assert.deepEqual(checker.forbiddenCycles(beyond, allowed), [['x.js', 'y.js', 'z.js']]);
  });

  test('as a command: exit 1 naming the modules and their imports; exit 0 on the project itself', () => {
    const bad = tree({ 'p.js': "import './q.js';\n", 'q.js': "import './p.js';\n" });
    const failed = spawnSync(process.execPath, [script, bad], { encoding: 'utf8' });
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /p\.js imports q\.js/);
    assert.match(failed.stderr, /q\.js imports p\.js/);
    const project = spawnSync(process.execPath, [script, join(repoRoot, 'dist/src')], { encoding: 'utf8' });
    assert.equal(project.status, 0, project.stderr);
  });
});
