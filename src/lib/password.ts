import argon2 from 'argon2';

// OWASP: argon2id, m=19 MiB, t=2, p=1 is the minimum recommended configuration.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Spends the same time as a real verify, so "no such user" cannot be told apart by timing. */
export async function burnVerify(password: string): Promise<void> {
  dummy ??= hashPassword('statusping-timing-equaliser');
  await verifyPassword(await dummy, password);
}
