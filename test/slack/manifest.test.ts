import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readSpec } from '../support/specs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const manifest = parse(readFileSync(path.join(root, 'manifest.yml'), 'utf8')) as Record<string, any>;

/** Bot scopes each Slack method Dockhand calls needs, read from the scraped docs.slack.dev reference. */
function botScopes(method: string): string[] {
  const doc = JSON.parse(readSpec(`slack/slack-api-ref-docs.slack.dev-methods/${method}.json`)) as { scope?: { bot?: string[] } };
  return doc.scope?.bot ?? [];
}

describe('manifest.yml', () => {
  it("validates against Slack's official manifest schema (1.0.0)", () => {
    // The 1.0.0 schema's $refs are all local (#/definitions/…); strict off because it uses
    // non-standard keywords (e.g. `regex`) that ajv would otherwise refuse.
    const schema = JSON.parse(readSpec('slack/manifest.schema.1.0.0.json')) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a broken manifest (the validator is not vacuous)', () => {
    const schema = JSON.parse(readSpec('slack/manifest.schema.1.0.0.json')) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate({ ...manifest, display_information: { name: '' } })).toBe(false);
    expect(validate({ ...manifest, features: { ...manifest.features, slash_commands: [{ command: 'dockhand', description: 'x' }] } })).toBe(false);
  });

  it('asks for exactly the bot scopes the methods Dockhand calls need, plus commands and chat:write.public', () => {
    // Methods called by src/slack (views.* need no scope). chat:write.public instead of
    // conversations.join + channels:join: see the comment in manifest.yml.
    const methods = ['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'views.open', 'views.update', 'usergroups.users.list', 'files.getUploadURLExternal', 'files.completeUploadExternal'];
    const needed = new Set(['commands', 'chat:write.public', ...methods.flatMap(botScopes)]);
    expect(botScopes('views.open')).toEqual([]);
    expect(botScopes('usergroups.users.list')).toEqual(['usergroups:read']);
    expect([...needed].sort()).toEqual(['chat:write', 'chat:write.public', 'commands', 'files:write', 'usergroups:read']);
    expect([...(manifest.oauth_config.scopes.bot as string[])].sort()).toEqual([...needed].sort());
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('runs in Socket Mode with the /dockhand command and interactivity on', () => {
    expect(manifest.display_information.name).toBe('Dockhand');
    expect(manifest.settings).toMatchObject({ socket_mode_enabled: true, org_deploy_enabled: false, token_rotation_enabled: false, interactivity: { is_enabled: true } });
    expect(manifest.features.bot_user.display_name).toBe('Dockhand');
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({ command: '/dockhand', should_escape: false, url: 'https://dockhand.example.com/slack/events', usage_hint: expect.stringContaining('retry <id|all>') }),
    ]);
  });
});
