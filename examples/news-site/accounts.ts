/**
 * The example site's own accounts and sessions, as a real site would have them: accounts kept in
 * memory with scrypt password hashes (`node:crypto`), registration confirmed by a link sent by
 * email, and a signed session cookie (an HS256 JWT) that names the account. Neither registering
 * nor signing in says whether an email address has an account: registration always answers
 * "check your inbox" (the mail says the rest), sign-in always "email or password is not right",
 * and both do the same password work either way.
 */
import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { SESSION_COOKIE, SESSION_ISSUER } from './policy.js';

export { SESSION_COOKIE, SESSION_ISSUER };

export interface Account {
  readonly id: string;
  readonly email: string;
  name: string;
  subscriber: boolean;
  plan: 'monthly' | 'annual' | null;
  /** Signed up for the free newsletters. */
  newsletters: boolean;
}

/** A message the site sends (the server prints them; tests read them). */
export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** The link the message asks its reader to open, if any. */
  readonly link: string | null;
}

/** Newsletter sign-ups without an account kept at most (the oldest are forgotten). */
const MAX_SIGNUPS = 10_000;
/** Registrations waiting for their confirmation link, at most, and for how long. */
const MAX_PENDING = 10_000;
const PENDING_MS = 3_600_000;
/** scrypt's cost (N = 2^14, r 8, p 1: about 16 MB and tens of ms), the salt and the key length. */
const SCRYPT = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_BYTES = 32;

const SESSION_DAYS = 30;
const ISSUER = SESSION_ISSUER;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, SCRYPT, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** A password's scrypt hash: `scrypt$<salt>$<key>`, base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${(await derive(password, salt)).toString('base64url')}`;
}

/** Whether `password` matches `stored`, compared in constant time. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash no password matches, checked against when an email has no account (the same work either way). */
const NOBODY = `scrypt$${randomBytes(16).toString('base64url')}$${randomBytes(KEY_BYTES).toString('base64url')}`;

interface Pending {
  readonly name: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly returnTo: string;
  readonly expiresAt: number;
}

/** Accounts by id and by email, in memory; registrations pending confirmation. */
export function createAccounts(now: () => number = Date.now) {
  const byId = new Map<string, Account & { passwordHash: string }>();
  const byEmail = new Map<string, Account & { passwordHash: string }>();
  const signUps = new Set<string>(); // newsletter emails without an account
  const pending = new Map<string, Pending>();

  const create = (name: string, email: string, passwordHash: string): Account => {
    const account = {
      id: randomUUID(),
      email: email.toLowerCase(),
      name,
      subscriber: false,
      plan: null,
      newsletters: signUps.delete(email.toLowerCase()),
      passwordHash,
    };
    byId.set(account.id, account);
    byEmail.set(account.email, account);
    return account;
  };

  return {
    find: (id: string): Account | undefined => byId.get(id),
    /** Creates an account at once (fixtures and tests; a reader registers through `register` and `confirm`). Without a hash, no password signs in to it. */
    create: (name: string, email: string, passwordHash: string = NOBODY): Account => create(name, email, passwordHash),
    /**
     * Starts a registration: the password hashed, and the message to send. A new address gets a
     * link that finishes registering; an address with an account gets a note saying so (only its
     * owner reads it). What the page shows is the same either way.
     */
    async register(name: string, email: string, password: string, returnTo: string, origin: string): Promise<Mail> {
      const passwordHash = await hashPassword(password);
      const address = email.toLowerCase();
      if (byEmail.has(address)) {
        return {
          to: address,
          subject: 'You already have an account',
          text: `Someone asked to register this address at the Riverside Courier. You already have an account: sign in at ${origin}/signin. If it was not you, ignore this message.`,
          link: `${origin}/signin`,
        };
      }
      for (const [token, entry] of pending) if (entry.expiresAt <= now()) pending.delete(token);
      if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
      const token = randomBytes(32).toString('base64url');
      pending.set(token, { name, email: address, passwordHash, returnTo, expiresAt: now() + PENDING_MS });
      const link = `${origin}/register/confirm?token=${token}`;
      return {
        to: address,
        subject: 'Finish registering',
        text: `Open this link within an hour to finish registering at the Riverside Courier: ${link}`,
        link,
      };
    },
    /** Whether a confirmation token is waiting (for the page that asks to finish). */
    pending: (token: string): boolean => {
      const entry = pending.get(token);
      return entry !== undefined && entry.expiresAt > now();
    },
    /** Finishes a registration: the new account and where to go, or `null` (unknown, expired or used token, or the address taken since). */
    confirm(token: string): { account: Account; returnTo: string } | null {
      const entry = pending.get(token);
      pending.delete(token);
      if (entry === undefined || entry.expiresAt <= now() || byEmail.has(entry.email)) return null;
      return { account: create(entry.name, entry.email, entry.passwordHash), returnTo: entry.returnTo };
    },
    /** The account whose email and password these are, or `undefined`; the same password work whether the email has an account or not. */
    async authenticate(email: string, password: string): Promise<Account | undefined> {
      const account = byEmail.get(email.toLowerCase());
      const matches = await verifyPassword(account?.passwordHash ?? NOBODY, password);
      return matches ? account : undefined;
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
