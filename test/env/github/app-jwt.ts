import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';

/** A GitHub App's identity as GitHub issues it: numeric id and an RSA key pair (PKCS#1 PEM, like the .pem download). */
export interface AppCredentials {
  appId: number;
  privateKey: string;
  publicKey: KeyObject;
}

/** A fresh 2048-bit key pair for a test app (about 50 ms). */
export function createAppCredentials(appId: number): AppCredentials {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { appId, privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKey };
}

/** The public half of a PEM private key the caller supplies. */
export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(privateKeyPem);
}

export interface AppJwtClaims {
  iss: string;
  iat: number;
  exp: number;
}

/**
 * Checks a GitHub App JWT the way GitHub does: RS256 signed by the app's key, `iss` the app id, not
 * expired, `iat` not in the future (60 s of clock drift allowed) and a lifetime of at most 10 minutes.
 * Returns the reason it is refused, or undefined when it is good.
 *
 * @example
 *   verifyAppJwt(token, credentials.publicKey, 12345); // undefined for a token from universal-github-app-jwt
 */
export function verifyAppJwt(token: string, publicKey: KeyObject, appId: number, nowSeconds = Math.floor(Date.now() / 1000)): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return 'not a JWT';
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  let header: { alg?: string };
  let claims: Partial<Record<keyof AppJwtClaims, unknown>>;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as { alg?: string };
    claims = JSON.parse(Buffer.from(claimsPart, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return 'undecodable JWT';
  }
  if (header.alg !== 'RS256') return `JWT algorithm ${String(header.alg)} is not RS256`;
  const signed = verify('RSA-SHA256', Buffer.from(`${headerPart}.${claimsPart}`), publicKey, Buffer.from(signaturePart, 'base64url'));
  if (!signed) return 'JWT signature does not match the app key';
  // universal-github-app-jwt sends iss as a number or string depending on version; GitHub takes both.
  if (String(claims.iss) !== String(appId)) return `JWT iss ${String(claims.iss)} is not app ${appId}`;
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return 'JWT lacks exp or iat';
  if (claims.exp <= nowSeconds) return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
  if (claims.iat > nowSeconds + 60) return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
  if (claims.exp - claims.iat > 600) return "'Expiration time' claim ('exp') is too far in the future";
  return undefined;
}
