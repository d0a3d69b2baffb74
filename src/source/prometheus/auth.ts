import { readFileSync } from 'node:fs';
import { SourceError } from '../../errors.js';

/**
 * Where a source's credentials live. The plan names an environment variable or
 * a file, never the secret itself, so plan files can be committed and shared.
 */
export type AuthConfig =
  | { readonly bearerTokenEnv: string }
  | { readonly bearerTokenFile: string }
  | { readonly basicAuth: { readonly username: string; readonly passwordEnv?: string; readonly passwordFile?: string } };

/** The header to send and every string that must never appear in output. */
export interface ResolvedAuth {
  readonly authorization: string;
  readonly secrets: readonly string[];
}

export interface SecretReaders {
  readonly env?: NodeJS.ProcessEnv;
  readonly readFile?: (path: string) => string;
}

/**
 * Reads the secret now. Called per request rather than once, because mounted
 * tokens (Kubernetes service accounts, Vault agents) rotate under a running process.
 */
export function resolveAuth(auth: AuthConfig | undefined, readers: SecretReaders = {}): ResolvedAuth | null {
  if (!auth) return null;
  const env = readers.env ?? process.env;
  const readFile = readers.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const fromEnv = (name: string): string => {
    const v = env[name];
    if (v === undefined || v === '') throw new SourceError(`auth: environment variable ${name} is not set or empty`);
    return v.trim();
  };
  const fromFile = (path: string): string => {
    let v: string;
    try {
      v = readFile(path).trim();
    } catch (err) {
      // The file's content is never in this message: only its path and the OS error code.
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new SourceError(`auth: cannot read secret file ${path} (${code})`);
    }
    if (v === '') throw new SourceError(`auth: secret file ${path} is empty`);
    return v;
  };
  if ('bearerTokenEnv' in auth) return bearer(fromEnv(auth.bearerTokenEnv));
  if ('bearerTokenFile' in auth) return bearer(fromFile(auth.bearerTokenFile));
  const { username, passwordEnv, passwordFile } = auth.basicAuth;
  const password = passwordEnv ? fromEnv(passwordEnv) : passwordFile ? fromFile(passwordFile) : '';
  const encoded = Buffer.from(`${username}:${password}`).toString('base64');
  return { authorization: `Basic ${encoded}`, secrets: [password, encoded].filter((s) => s !== '') };
}

function bearer(token: string): ResolvedAuth {
  return { authorization: `Bearer ${token}`, secrets: [token] };
}
