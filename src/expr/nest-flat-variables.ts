import { setOwn } from './go-values.js';

/**
 * Builds the environment of `{{= ...}}` expressions from Argo's flat variable names, as Argo does
 * (util/expand: `removeConflicts` then `bellows.Expand`): `inputs.parameters.x` becomes
 * `{ inputs: { parameters: { x } } }`. When a name is also the parent of other names
 * (`workflow.parameters` holds a JSON of all of them, `workflow.parameters.a` one of them) the
 * parent is dropped so the children stay reachable.
 *
 * Argo only drops a parent when its child sorts right after it, so `a`, `a-b`, `a.c` keeps `a`
 * and the outcome then depends on Go's map order; Skiff always drops the parent.
 *
 * @example
 * nestFlatVariables({ 'inputs.parameters.my-param': 'x', 'workflow.name': 'wf' })
 * // { inputs: { parameters: { 'my-param': 'x' } }, workflow: { name: 'wf' } }
 */
export function nestFlatVariables<V>(flat: Readonly<Record<string, V>>): Record<string, unknown> {
  const keys = Object.keys(flat).sort();
  const parents = new Set<string>();
  for (const key of keys) {
    for (let dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) parents.add(key.slice(0, dot));
  }
  const root: Record<string, unknown> = {};
  for (const key of keys) {
    if (parents.has(key)) continue;
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const child = Object.hasOwn(node, part) ? node[part] : undefined;
      if (typeof child === 'object' && child !== null && !Array.isArray(child)) {
        node = child as Record<string, unknown>;
      } else {
        const created: Record<string, unknown> = {};
        setOwn(node, part, created);
        node = created;
      }
    }
    setOwn(node, parts[parts.length - 1]!, flat[key]);
  }
  return root;
}
