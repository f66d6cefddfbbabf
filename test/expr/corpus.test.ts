import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { evaluateWhen, findTemplateTags, parseDepends, parseExpression, substituteTemplate } from '../../src/expr/index.js';

// Argo's example workflows, shared read-only next to the project (see DESIGN.md, "Corpus").
const examples = fileURLToPath(new URL('../../../../shared/anchors/argo/examples/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every string in the documents, with the key it sits under. */
function strings(node: unknown, key: string, out: Array<{ key: string; value: string }>): void {
  if (typeof node === 'string') out.push({ key, value: node });
  else if (Array.isArray(node)) node.forEach((item) => strings(item, key, out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) strings(v, k, out);
}

// The corpus must be there (CI has ../shared beside the project); a missing one fails, never skips.
describe('Argo example corpus', () => {
  test('is present', () => assert.ok(existsSync(examples), `Argo's examples are missing: ${examples}`));
  const values: Array<{ file: string; key: string; value: string }> = [];
  for (const file of existsSync(examples) ? files(examples) : []) {
    const out: Array<{ key: string; value: string }> = [];
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) strings(doc.toJS(), '', out);
    values.push(...out.map((entry) => ({ file, ...entry })));
  }

  test('the corpus was read', () => {
    assert.ok(values.length > 1000, `only ${values.length} strings`);
  });

  test('every template tag is well formed and every expression parses', () => {
    let expressions = 0;
    for (const { file, value } of values) {
      for (const tag of findTemplateTags(value)) {
        assert.equal(tag.error, undefined, `${file}: ${tag.raw}`);
        if (tag.kind === 'expression') {
          expressions++;
          assert.doesNotThrow(() => parseExpression(tag.expression!), `${file}: ${tag.raw}`);
        }
      }
    }
    assert.ok(expressions >= 15, `found ${expressions} expressions`);
  });

  test('every depends parses', () => {
    const depends = values.filter((v) => v.key === 'depends');
    assert.ok(depends.length >= 80, `found ${depends.length}`);
    for (const { file, value } of depends) assert.doesNotThrow(() => parseDepends(value), `${file}: ${value}`);
  });

  test('every when evaluates to a boolean once its simple tags are substituted', () => {
    const whens = values.filter((v) => v.key === 'when' && !v.value.includes('{{='));
    assert.ok(whens.length >= 30, `found ${whens.length}`);
    for (const { file, value } of whens) {
      const { text } = substituteTemplate(value, () => 'tails');
      assert.equal(typeof evaluateWhen(text), 'boolean', `${file}: ${value}`);
    }
  });
});
