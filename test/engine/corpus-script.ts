import type { PodRequest } from '../../src/engine/engine-events.js';
import type { PodScript } from './simulate-run.js';

/**
 * Plays the pods of Argo's examples well enough for their expected phase: what a script
 * prints when it prints a literal, what `echo x > /path` writes for output parameters, an
 * `exit N` that is not behind a condition, and `sleep N` for timeouts. Random choices take
 * the first outcome (coins land heads). Every pod runs on machine `node-1`; daemons are ready at once.
 */
export function corpusScript(pod: PodRequest): PodScript {
  const t = pod.template;
  // A containerSet's outputs are its container named main's.
  const main = t.script ?? t.container ?? t.containerSet?.containers.find((c) => c.name === 'main');
  const text = [...(main?.command ?? []), ...(main?.args ?? []), t.script?.source ?? ''].join('\n');
  const script: PodScript = { outputs: {}, hostNodeName: 'node-1' };
  const exit = /(?:^|[;&|\n]\s*|\s)exit\s+([1-9]\d*)/.exec(text);
  if (exit && !/\bif\b|random|\$\(/.test(text)) script.exitCode = Number(exit[1]);
  const sleep = /sleep\s+(\d+)([smhd]?)/.exec(text);
  if (sleep) script.durationMs = Number(sleep[1]) * 1000 * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 }[sleep[2]!] ?? 1);
  const files = new Map<string, string>();
  for (const m of text.matchAll(/echo\s+(?:-n\s+)?(['"]?)(.*?)\1\s*>\s*(\S+)/g)) files.set(m[3]!, m[2]!);
  const parameters = (t.outputs?.parameters ?? []).flatMap((p) => {
    const path = p.valueFrom?.path;
    const value = path !== undefined ? files.get(path) : undefined;
    if (value !== undefined) return [{ name: p.name, value }];
    if (p.valueFrom?.default !== undefined) return [{ name: p.name, value: String(p.valueFrom.default) }];
    return path !== undefined ? [{ name: p.name, value: 'value' }] : [];
  });
  if (parameters.length > 0) script.outputs!.parameters = parameters;
  const num = pod.inputs.parameters?.find((p) => p.name === 'num')?.value;
  const result =
    /evenness/.test(text) && /json\.dumps/.test(text) && num !== undefined
      ? JSON.stringify({ num: Number(num), evenness: Number(num) % 2 ? 'odd' : 'even' })
      : printed(text);
  if (result !== undefined) script.outputs!.result = result;
  return script;
}

function printed(text: string): string | undefined {
  if (/"heads" if random|heads.*random|random.*heads/s.test(text)) return 'heads';
  const randint = /random\.randint\((\d+)\s*,\s*(\d+)\)/.exec(text);
  if (randint) return String(Math.max(Number(randint[1]), 1));
  const dumps = /json\.dumps\(\s*(\[.*\])\s*\)/s.exec(text);
  if (dumps) return dumps[1];
  const print = /print\((['"])(.*?)\1\)/.exec(text);
  if (print) return print[2];
  const cat = /cat\s+(\S+)/.exec(text);
  const files = [...text.matchAll(/echo\s+(['"]?)(.*?)\1\s*>\s*(\S+)/g)];
  if (cat) {
    const written = files.find((f) => f[3] === cat[1]);
    if (written) return written[2];
  }
  const echo = /(?:^|\n|&&\s*)echo\s+(['"]?)([^$`|>&;\n]*?)\1\s*(?:$|\n)/.exec(text);
  if (echo) return echo[2];
  return undefined;
}
