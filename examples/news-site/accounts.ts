/**
 * The example site's own accounts and sessions, as a real site would have them: accounts kept in
 * memory, and a signed session cookie (an HS256 JWT) that names the account.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

export interface Account {
  readonly id: string;
  readonly email: string;
  name: string;
  subscriber: boolean;
  plan: 'monthly' | 'annual' | null;
  /** Signed up for the free newsletters. */
  newsletters: boolean;
}

/** Newsletter sign-ups without an account kept at most (the oldest are forgotten). */
const MAX_SIGNUPS = 10_000;

export const SESSION_COOKIE = '__Host-courier_session';
const SESSION_DAYS = 30;
/** The session token's `iss` and `aud`. */
export const SESSION_ISSUER = 'riverside-courier';
const ISSUER = SESSION_ISSUER;

/** Accounts by id and by email, in memory. */
export function createAccounts() {
  const byId = new Map<string, Account>();
  const byEmail = new Map<string, Account>();
  const signUps = new Set<string>(); // newsletter emails without an account
  return {
    find: (id: string) => byId.get(id),
    findByEmail: (email: string) => byEmail.get(email.toLowerCase()),
    create(name: string, email: string): Account {
      const account: Account = {
        id: randomUUID(),
        email: email.toLowerCase(),
        name,
        subscriber: false,
        plan: null,
        newsletters: signUps.delete(email.toLowerCase()),
      };
      byId.set(account.id, account);
      byEmail.set(account.email, account);
      return account;
    },
    /** Signs an email up for the newsletters: on its account if it has one. */
    signUpForNewsletters(email: string): void {
      const account = byEmail.get(email.toLowerCase());
      if (account) {
        account.newsletters = true;
        return;
      }
      if (signUps.size >= MAX_SIGNUPS) signUps.delete(signUps.values().next().value as string);
      signUps.add(email.toLowerCase());
    },
    /** Whether an email gets the newsletters. */
    getsNewsletters: (email: string) => byEmail.get(email.toLowerCase())?.newsletters ?? signUps.has(email.toLowerCase()),
  };
}

/** Signs and verifies the site's session tokens. */
export function createSessions(secret: Uint8Array, now: () => number = Date.now) {
  return {
    async issue(account: Account): Promise<{ token: string; maxAge: number }> {
      const iat = Math.floor(now() / 1000);
      const claims = account.plan === null ? { name: account.name } : { name: account.name, plan: account.plan };
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(account.id)
        .setIssuer(ISSUER)
        .setAudience(ISSUER)
        .setIssuedAt(iat)
        .setExpirationTime(iat + SESSION_DAYS * 86_400)
        .sign(secret);
      return { token, maxAge: SESSION_DAYS * 86_400 };
    },
    /** The account id in a valid session token, or `null`. */
    async verify(token: string | undefined): Promise<string | null> {
      if (!token || token.length > 2048) return null;
      try {
        const { payload } = await jwtVerify(token, secret, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: ISSUER,
          typ: 'JWT',
          currentDate: new Date(now()),
        });
        return typeof payload.sub === 'string' ? payload.sub : null;
      } catch {
        return null;
      }
    },
  };
}
