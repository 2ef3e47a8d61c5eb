/**
 * Per-method facts copied by hand from the docs.slack.dev method reference
 * (test/specs/slack/slack-api-ref-docs.slack.dev-methods/<method>.json): required args
 * and rate-limit tier. The tests read those files and compare, so a misread shows up there.
 */

/** Calls per minute of each tier (https://api.slack.com/apis/rate-limits#tiers). */
export const TIER_PER_MINUTE = { t1: 1, t2: 20, t3: 50, t4: 100 } as const;

export type Tier = keyof typeof TIER_PER_MINUTE | 't5';

export interface MethodFacts {
  /** `args.required` of the reference, `token` included (it may also come as a Bearer header). */
  required: readonly string[];
  /** `rate_limits`; `t5` is "special": chat.postMessage is per channel, auth.test is not limited here. */
  tier: Tier;
}

export const METHODS = {
  'auth.test': { required: ['token'], tier: 't5' },
  'chat.postMessage': { required: ['token', 'channel'], tier: 't5' },
  'chat.update': { required: ['token', 'ts', 'channel'], tier: 't3' },
  'chat.postEphemeral': { required: ['token', 'user', 'channel'], tier: 't4' },
  'views.open': { required: ['token', 'view'], tier: 't4' },
  'views.push': { required: ['token', 'view'], tier: 't4' },
  'views.update': { required: ['token', 'view'], tier: 't4' },
  'users.info': { required: ['token', 'user'], tier: 't4' },
  'usergroups.users.list': { required: ['token', 'usergroup'], tier: 't2' },
  'conversations.list': { required: ['token'], tier: 't2' },
  'conversations.info': { required: ['token', 'channel'], tier: 't3' },
  'conversations.join': { required: ['token', 'channel'], tier: 't3' },
  'files.getUploadURLExternal': { required: ['token', 'length', 'filename'], tier: 't4' },
  'files.completeUploadExternal': { required: ['token', 'files'], tier: 't4' },
} as const satisfies Record<string, MethodFacts>;

export type SlackMethod = keyof typeof METHODS;

export const isSlackMethod = (name: string): name is SlackMethod => Object.hasOwn(METHODS, name);
