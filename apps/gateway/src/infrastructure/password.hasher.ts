import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` of @node-rs/argon2 (an ambient const enum, which isolatedModules cannot read). */
const ARGON2ID = 2;

export interface Argon2Params {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
}

/**
 * argon2id through @node-rs/argon2 (native, off the event loop). The dummy hash lets login spend the same work for
 * an unknown e-mail as for a wrong password, so response time does not tell which e-mails have accounts.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly params: Argon2Params) {}

  hash(password: string): Promise<string> {
    return hash(password, {
      algorithm: ARGON2ID,
      memoryCost: this.params.memoryKib,
      timeCost: this.params.timeCost,
      parallelism: this.params.parallelism,
      outputLen: 32,
    });
  }

  /** False for a malformed stored hash too: a corrupt row must not become a 500 (or a login). */
  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await verify(storedHash, password);
    } catch {
      return false;
    }
  }

  /** Computes the dummy hash now (at start), so the first unknown-e-mail login costs no extra hash. */
  async warmUp(): Promise<void> {
    await (this.dummyHash ??= this.hash(randomBytes(32).toString('base64url')));
  }

  /** Burns one verification against a hash of the current parameters; always false. */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when the stored hash was made with weaker parameters than today's (re-hashed at the next login). */
  needsRehash(storedHash: string): boolean {
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash);
    if (!match) return true;
    const [m, t, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
    return m < this.params.memoryKib || t < this.params.timeCost || p < this.params.parallelism;
  }
}
