/**
 * Who may use manager-only commands and buttons: the user IDs (U…/W…) in `slack.managers`,
 * and the members of the user groups (S…) listed there.
 *
 * Group members come from usergroups.users.list, a Tier 2 method (about 20 calls a minute per
 * workspace, https://docs.slack.dev/reference/methods/usergroups.users.list), so members are
 * cached per group: at most one call per group per TTL, and callers arriving while a call is
 * under way wait for that same call.
 */

export interface RoleResolverOptions {
  /** `slack.managers` from the config. */
  managers: readonly string[];
  /** The user IDs in a user group (usergroups.users.list). May reject. */
  listGroupMembers: (groupId: string) => Promise<string[]>;
  /** Milliseconds since the epoch; injected so tests control time. */
  now?: () => number;
  /** How long a group's member list is trusted. Default 10 minutes. */
  ttlMs?: number;
  /**
   * After a failed lookup, how long to wait before calling again (the failure is often a
   * rate limit, and calling on every click would keep it that way). Default: the smaller of
   * 1 minute and the TTL.
   */
  failureBackoffMs?: number;
}

export interface RoleResolver {
  /** True when the user is listed as a manager or belongs to a listed group. Never rejects. */
  isManager(userId: string): Promise<boolean>;
  /** Drops cached members (of one group, or all), e.g. on a `subteam_members_changed` event. */
  forget(groupId?: string): void;
}

interface GroupCache {
  /** Last members successfully fetched. */
  members?: ReadonlySet<string>;
  /** When the next lookup may be made. */
  freshUntil: number;
  inFlight?: Promise<ReadonlySet<string> | undefined>;
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const GROUP_ID = /^S[A-Z0-9]{2,}$/;

/** Classifies `slack.managers` entries: users are checked directly, groups need a lookup. */
export function splitManagers(managers: readonly string[]): { users: Set<string>; groups: string[] } {
  const users = new Set<string>();
  const groups: string[] = [];
  for (const m of managers) {
    if (USER_ID.test(m)) users.add(m);
    else if (GROUP_ID.test(m) && !groups.includes(m)) groups.push(m);
  }
  return { users, groups };
}

/**
 * Builds the manager check. A failed group lookup falls back to the members last known for
 * that group; with none known, that group grants nothing (deny, never allow, on doubt).
 */
export function createRoleResolver(opts: RoleResolverOptions): RoleResolver {
  const { users, groups } = splitManagers(opts.managers);
  const now = opts.now ?? (() => Date.now());
  const ttlMs = opts.ttlMs ?? 10 * 60_000;
  const backoffMs = opts.failureBackoffMs ?? Math.min(60_000, ttlMs);
  const cache = new Map<string, GroupCache>();

  function membersOf(groupId: string): Promise<ReadonlySet<string> | undefined> {
    const entry = cache.get(groupId) ?? { freshUntil: -Infinity };
    cache.set(groupId, entry);
    if (entry.inFlight) return entry.inFlight;
    if (now() < entry.freshUntil) return Promise.resolve(entry.members);
    const call = (async () => {
      try {
        // Deferred a tick so a synchronous throw still lands after `inFlight` is set below.
        const list = await Promise.resolve().then(() => opts.listGroupMembers(groupId));
        entry.members = new Set(list);
        entry.freshUntil = now() + ttlMs;
      } catch {
        entry.freshUntil = now() + backoffMs;
      } finally {
        entry.inFlight = undefined;
      }
      return entry.members;
    })();
    entry.inFlight = call;
    return call;
  }

  return {
    async isManager(userId) {
      if (users.has(userId)) return true;
      if (!USER_ID.test(userId)) return false;
      const sets = await Promise.all(groups.map((g) => membersOf(g)));
      return sets.some((s) => s?.has(userId) === true);
    },
    forget(groupId) {
      // An in-flight lookup stays shared; only the freshness is dropped.
      for (const [g, entry] of cache) if (groupId === undefined || g === groupId) entry.freshUntil = -Infinity;
    },
  };
}
