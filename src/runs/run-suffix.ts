const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The five random characters Kubernetes adds to a `generateName` (no vowels: no words). */
export function runSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return out;
}
