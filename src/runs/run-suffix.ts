const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The five random characters Kubernetes adds to a `generateName` (no vowels: no words). */
export function runSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return out;
}

/**
 * The name a `generateName` run gets: the prefix cut to 58 characters, then the suffix, as the
 * Kubernetes API server names generated objects. A run's name is also the value of its pods'
 * `workflows.argoproj.io/workflow` label, which may not exceed 63 characters.
 */
export function generatedRunName(generateName: string, suffix: string): string {
  return `${generateName.slice(0, 63 - suffix.length)}${suffix}`;
}
