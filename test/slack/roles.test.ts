import { describe, expect, it } from 'vitest';
import { createRoleResolver, splitManagers } from '../../src/slack/roles';

/** A fake usergroups.users.list: answers from a table that tests change, and counts calls per group. */
function fakeGroups(initial: Record<string, string[] | Error>) {
  const table: Record<string, string[] | Error> = { ...initial };
  const calls: string[] = [];
  let gate: Promise<void> | undefined;
  return {
    table,
    calls,
    /** Holds every lookup until the returned function is called. */
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
    async listGroupMembers(groupId: string): Promise<string[]> {
      calls.push(groupId);
      if (gate) await gate;
      const v = table[groupId];
      if (v instanceof Error) throw v;
      if (!v) throw new Error('no_such_subteam');
      return [...v];
    },
  };
}

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('splitManagers', () => {
  it.each<[string[], string[], string[]]>([
    [[], [], []],
    [['U01ABC', 'W02DEF', 'S03GHI'], ['U01ABC', 'W02DEF'], ['S03GHI']],
    [['S1AA', 'S1AA', 'U1AA'], ['U1AA'], ['S1AA']],
    [['#channel', 'C123', 'u123', ''], [], []],
  ])('%j', (managers, users, groups) => {
    const out = splitManagers(managers);
    expect([...out.users]).toEqual(users);
    expect(out.groups).toEqual(groups);
  });
});

describe('isManager', () => {
  it.each<[string, string, string[], Record<string, string[]>, boolean]>([
    ['a listed user', 'U1MANAGER', ['U1MANAGER'], {}, true],
    ['a listed enterprise user', 'W1MANAGER', ['W1MANAGER'], {}, true],
    ['a member of a listed group', 'U1ALICE', ['S1OPS'], { S1OPS: ['U1OTHER', 'U1ALICE'] }, true],
    ['a member of the second group', 'U1ALICE', ['S1OPS', 'S2LEADS'], { S1OPS: [], S2LEADS: ['U1ALICE'] }, true],
    ['nobody when managers is empty', 'U1ALICE', [], {}, false],
    ['not someone outside every group', 'U1ALICE', ['S1OPS', 'U1BOB'], { S1OPS: ['U1CAROL'] }, false],
    ['not a group ID passed as the user', 'S1OPS', ['S1OPS'], { S1OPS: ['U1ALICE'] }, false],
    ['not a listed group whose lookup says no_such_subteam', 'U1ALICE', ['S9GONE'], {}, false],
  ])('%s', async (_name, user, managers, groups, expected) => {
    const g = fakeGroups(groups);
    const roles = createRoleResolver({ managers, listGroupMembers: (id) => g.listGroupMembers(id), now: clock().now });
    expect(await roles.isManager(user)).toBe(expected);
  });

  it('does not look groups up for a user listed by ID', async () => {
    const g = fakeGroups({ S1OPS: ['U1ALICE'] });
    const roles = createRoleResolver({ managers: ['U1BOSS', 'S1OPS'], listGroupMembers: (id) => g.listGroupMembers(id), now: clock().now });
    expect(await roles.isManager('U1BOSS')).toBe(true);
    expect(g.calls).toEqual([]);
  });

  it('calls usergroups.users.list once per group per TTL, then again after it', async () => {
    const c = clock();
    const g = fakeGroups({ S1OPS: ['U1ALICE'] });
    const roles = createRoleResolver({ managers: ['S1OPS'], listGroupMembers: (id) => g.listGroupMembers(id), now: c.now, ttlMs: 600_000 });
    expect(await roles.isManager('U1ALICE')).toBe(true);
    c.advance(599_999);
    expect(await roles.isManager('U1ALICE')).toBe(true);
    expect(await roles.isManager('U1BOB')).toBe(false);
    expect(g.calls).toEqual(['S1OPS']);

    g.table.S1OPS = ['U1BOB'];
    c.advance(1);
    expect(await roles.isManager('U1BOB')).toBe(true);
    expect(await roles.isManager('U1ALICE')).toBe(false);
    expect(g.calls).toEqual(['S1OPS', 'S1OPS']);
  });

  it('makes callers arriving during a lookup share it', async () => {
    const g = fakeGroups({ S1OPS: ['U1ALICE'] });
    const roles = createRoleResolver({ managers: ['S1OPS'], listGroupMembers: (id) => g.listGroupMembers(id), now: clock().now });
    const release = g.hold();
    const answers = Promise.all([roles.isManager('U1ALICE'), roles.isManager('U1BOB'), roles.isManager('U1ALICE')]);
    release();
    expect(await answers).toEqual([true, false, true]);
    expect(g.calls).toEqual(['S1OPS']);
  });

  it('falls back to the last known members when a lookup fails, and retries after the back-off', async () => {
    const c = clock();
    const g = fakeGroups({ S1OPS: ['U1ALICE'] });
    const roles = createRoleResolver({ managers: ['S1OPS'], listGroupMembers: (id) => g.listGroupMembers(id), now: c.now, ttlMs: 600_000, failureBackoffMs: 60_000 });
    expect(await roles.isManager('U1ALICE')).toBe(true);

    g.table.S1OPS = new Error('ratelimited');
    c.advance(600_000);
    expect(await roles.isManager('U1ALICE')).toBe(true);
    c.advance(59_999);
    expect(await roles.isManager('U1ALICE')).toBe(true);
    expect(g.calls).toHaveLength(2); // no call during the back-off

    g.table.S1OPS = ['U1BOB'];
    c.advance(1);
    expect(await roles.isManager('U1ALICE')).toBe(false);
    expect(await roles.isManager('U1BOB')).toBe(true);
    expect(g.calls).toHaveLength(3);
  });

  it('denies when a lookup fails and no members were ever known', async () => {
    const g = fakeGroups({ S1OPS: new Error('missing_scope') });
    const roles = createRoleResolver({ managers: ['S1OPS', 'U1BOSS'], listGroupMembers: (id) => g.listGroupMembers(id), now: clock().now });
    expect(await roles.isManager('U1ALICE')).toBe(false);
    expect(await roles.isManager('U1BOSS')).toBe(true);
  });

  it('survives a lookup that throws synchronously', async () => {
    const c = clock();
    let calls = 0;
    const roles = createRoleResolver({
      managers: ['S1OPS'],
      listGroupMembers: () => {
        calls++;
        throw new Error('boom');
      },
      now: c.now,
      failureBackoffMs: 1000,
    });
    expect(await roles.isManager('U1ALICE')).toBe(false);
    c.advance(1000);
    expect(await roles.isManager('U1ALICE')).toBe(false);
    expect(calls).toBe(2);
  });

  it('looks a group up again after forget()', async () => {
    const g = fakeGroups({ S1OPS: ['U1ALICE'] });
    const roles = createRoleResolver({ managers: ['S1OPS'], listGroupMembers: (id) => g.listGroupMembers(id), now: clock().now });
    await roles.isManager('U1ALICE');
    g.table.S1OPS = [];
    roles.forget('S1OPS');
    expect(await roles.isManager('U1ALICE')).toBe(false);
    expect(g.calls).toEqual(['S1OPS', 'S1OPS']);
  });

  it('never asks Slack about IDs that are not user IDs', async () => {
    const g = fakeGroups({ S1OPS: ['U1ALICE'] });
    const roles = createRoleResolver({ managers: ['S1OPS'], listGroupMembers: (id) => g.listGroupMembers(id), now: clock().now });
    expect(await roles.isManager('')).toBe(false);
    expect(await roles.isManager('B1BOT')).toBe(false);
    expect(g.calls).toEqual([]);
  });
});
