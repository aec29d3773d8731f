/**
 * Who may log in to the embedded broker and where each one may publish and subscribe.
 * A user has topic patterns (MQTT filters with `+`/`#`) for publishing and for subscribing;
 * a level that is exactly `%u` or `%c` stands for the user's name or client id, compared as
 * text (a name or id holding "/", "+" or "#", or empty, matches nothing there), as in
 * Mosquitto's ACL files. Apart from every pattern, the gateway's own output topics are
 * refused to every client (see output-topics.ts): only the gateway publishes there.
 */
import { verifyPassword, checkPasswordHash } from './password-hash.js';

export interface BrokerUser {
  username: string;
  /** the password in clear (one of password and passwordHash) */
  password?: string | null;
  /** a hash: "scrypt$..." / "pbkdf2-sha512$..." / Mosquitto's "$7$..." (mosquitto_passwd) */
  passwordHash?: string | null;
  /** topic patterns this user may publish to (default: none) */
  publish?: readonly string[];
  /** topic patterns this user may subscribe to (default: none) */
  subscribe?: readonly string[];
}

/** One login's rights, the patterns split in levels once. */
export interface Rights {
  publish: readonly string[][];
  subscribe: readonly string[][];
}

export const FULL_RIGHTS: Rights = { publish: [['#']], subscribe: [['#']] };

/** Why a pattern is not usable, or undefined when it is. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'empty pattern';
  const levels = pattern.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return `"#" must be a whole last level in "${pattern}"`;
    if (l.includes('+') && l !== '+') return `"+" must be a whole level in "${pattern}"`;
    if (/%[uc]/.test(l) && l !== '%u' && l !== '%c') return `%u and %c must be a whole level in "${pattern}"`;
  }
  return undefined;
}

/** A config error in the users list, or undefined. */
export function usersProblem(users: readonly BrokerUser[]): string | undefined {
  const names = new Set<string>();
  for (const [i, u] of users.entries()) {
    const where = `mqtt.embedded.users[${i}]`;
    if (typeof u.username !== 'string' || u.username === '') return `${where}: a username is needed`;
    if (names.has(u.username)) return `${where}: the username "${u.username}" appears twice`;
    names.add(u.username);
    const hasPassword = u.password != null;
    const hasHash = u.passwordHash != null;
    if (hasPassword === hasHash) return `${where}: give one of password and passwordHash`;
    if (hasHash) {
      const why = checkPasswordHash(u.passwordHash!);
      if (why) return `${where}.passwordHash: ${why}`;
    }
    for (const key of ['publish', 'subscribe'] as const) {
      for (const p of u[key] ?? []) {
        const why = patternProblem(p);
        if (why) return `${where}.${key}: ${why}`;
      }
    }
  }
  return undefined;
}

export function rightsOf(user: BrokerUser): Rights {
  return { publish: (user.publish ?? []).map((p) => p.split('/')), subscribe: (user.subscribe ?? []).map((p) => p.split('/')) };
}

/** The value of a `%u`/`%c` level, or undefined when it cannot stand for one level. */
function substitute(level: string, who: { username?: string | undefined; clientId: string }): string | undefined {
  const v = level === '%u' ? who.username : who.clientId;
  // eslint-disable-next-line no-control-regex -- NUL is not allowed in a topic
  if (v === undefined || v === '' || /[/+#\u0000]/.test(v)) return undefined;
  return v;
}

function literal(level: string, who: { username?: string | undefined; clientId: string }): string | undefined {
  return level === '%u' || level === '%c' ? substitute(level, who) : level;
}

/** Does the pattern (split in levels) match a topic name? `+`/`#` first do not match `$...` topics. */
export function patternMatchesTopic(pattern: readonly string[], topic: string, who: { username?: string | undefined; clientId: string }): boolean {
  const t = topic.split('/');
  if (topic.startsWith('$') && (pattern[0] === '+' || pattern[0] === '#')) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '#') return true;
    if (i >= t.length) return false;
    if (p === '+') continue;
    const want = literal(p, who);
    if (want === undefined || want !== t[i]) return false;
  }
  return pattern.length === t.length;
}

/**
 * Does the pattern grant a subscription to `filter`: is every topic the filter matches also
 * matched by the pattern? (`a/#` grants `a/+/b`; `a/+` grants `a/x` and `a/+`, not `a/#`.)
 */
export function patternCoversFilter(pattern: readonly string[], filter: string, who: { username?: string | undefined; clientId: string }): boolean {
  const f = filter.split('/');
  const first = f[0] ?? '';
  // a pattern starting with a wildcard does not reach $ topics, nor a filter that could
  if ((pattern[0] === '+' || pattern[0] === '#') && first.startsWith('$')) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '#') return true;
    if (i >= f.length) return false;
    const l = f[i]!;
    if (l === '#') return false;
    if (p === '+') continue;
    if (l === '+') return false;
    const want = literal(p, who);
    if (want === undefined || want !== l) return false;
  }
  return pattern.length === f.length;
}

/** The rights of each login, by user name, and password checks in constant time. */
export class UserTable {
  private readonly users = new Map<string, { user: BrokerUser; rights: Rights }>();

  constructor(users: readonly BrokerUser[]) {
    for (const u of users) this.users.set(u.username, { user: u, rights: rightsOf(u) });
  }

  get size(): number {
    return this.users.size;
  }

  /** The rights of `username` when `password` is right; undefined otherwise. */
  async login(username: string | undefined, password: Buffer | undefined): Promise<Rights | undefined> {
    const entry = username === undefined ? undefined : this.users.get(username);
    // an unknown name costs a comparison too, so the time taken does not tell names apart
    const ok = await verifyPassword(password, entry?.user ?? { password: '\u0000unknown user' });
    return entry && ok ? entry.rights : undefined;
  }
}
