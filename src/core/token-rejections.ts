/** How jose's error codes read as rejection reasons, for meter and session tokens alike. */
import type { SessionRejection, TokenRejection } from '../types.js';

const REASONS: Readonly<Record<string, TokenRejection & SessionRejection>> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'bad-signature',
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown-key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'unknown-key',
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'claims',
};

/** The rejection reason a jose error code stands for (`malformed` for any other). */
export function reasonOf(code: string): TokenRejection & SessionRejection {
  return REASONS[code] ?? 'malformed';
}
