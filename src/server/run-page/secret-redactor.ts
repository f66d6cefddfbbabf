import type { StoredRun } from '../../ports/run-store.js';

/** Values shorter than this are not redacted: hiding every "1" or "ok" in a log would hide the log. */
const MIN_SECRET_LENGTH = 4;

export const REDACTED = '[redacted]';

/** Where a Secret's values are read: what `skiff apply` stored locally. */
export interface SecretValues {
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

/** Replaces secret values in text shown to people. */
export interface SecretRedactor {
  redact(text: string): string;
}

/**
 * The redactor of one run: the values of every Secret key its workflow reads (`secretKeyRef` in
 * env and HTTP headers, whole Secrets mounted as volumes), longest first, so a value that
 * contains another is hidden whole. Secrets missing from the store are skipped (the step that read
 * them failed and printed nothing of them).
 */
export async function runSecretRedactor(run: StoredRun, secrets: SecretValues, namespace: string): Promise<SecretRedactor> {
  const wanted = new Map<string, Set<string> | 'all'>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    const ref = object.secretKeyRef as { name?: unknown; key?: unknown } | undefined;
    if (ref && typeof ref.name === 'string' && typeof ref.key === 'string') {
      const keys = wanted.get(ref.name);
      if (keys !== 'all') wanted.set(ref.name, new Set([...(keys ?? []), ref.key]));
    }
    const volume = object.secret as { secretName?: unknown } | undefined;
    if (volume && typeof volume.secretName === 'string') wanted.set(volume.secretName, 'all');
    for (const child of Object.values(object)) visit(child);
  };
  visit(run.workflow.spec);
  visit(run.referenced);
  const values = new Set<string>();
  for (const [name, keys] of wanted) {
    const data = await secrets.secret(namespace, name).catch(() => undefined);
    if (!data) continue;
    for (const [key, value] of Object.entries(data)) if (keys === 'all' || keys.has(key)) values.add(value);
  }
  return secretRedactor([...values]);
}

/** A redactor of the given values (each also hidden line by line, as a multi-line secret prints). */
export function secretRedactor(secretValues: string[]): SecretRedactor {
  const pieces = new Set<string>();
  for (const value of secretValues) {
    for (const piece of [value, ...value.split('\n')]) if (piece.trim().length >= MIN_SECRET_LENGTH) pieces.add(piece);
  }
  const sorted = [...pieces].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return { redact: (text) => text };
  const pattern = new RegExp(sorted.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return { redact: (text) => text.replace(pattern, REDACTED) };
}
