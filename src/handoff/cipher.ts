import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encrypts personal text before it is stored (transcripts, tracing details,
 * notes). AES-256-GCM: each value gets a fresh 12-byte nonce, and the tag
 * makes any tampering with the stored value fail loudly on read.
 */
export interface Cipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

const PREFIX = 'gcm1:';
const PLAIN = 'plain:';

export class CipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CipherError';
  }
}

/** `DATA_ENCRYPTION_KEY`: 32 bytes, given as 64 hex digits or base64. */
export function parseKey(value: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  // Checked by pattern: Buffer skips characters that are not base64, so a mistyped key would pass as another key.
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) return Buffer.from(value, 'base64');
  throw new CipherError('the key must be 32 bytes: 64 hex digits or 44 base64 characters');
}

export class AesGcmCipher implements Cipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new CipherError('AES-256 needs a 32-byte key');
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  decrypt(stored: string): string {
    if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
    if (!stored.startsWith(PREFIX)) throw new CipherError('not an encrypted value');
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    if (raw.length < 28) throw new CipherError('encrypted value too short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new CipherError('encrypted value does not match the key (wrong key, or altered)');
    }
  }
}

/**
 * Local development only (`ALLOW_PLAINTEXT_DATA=true`): values are stored
 * as they are, marked so that a key added later still reads them.
 */
export class PlaintextCipher implements Cipher {
  encrypt(plain: string): string {
    return PLAIN + plain;
  }

  decrypt(stored: string): string {
    if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
    throw new CipherError('this value is encrypted, and no DATA_ENCRYPTION_KEY is set');
  }
}
