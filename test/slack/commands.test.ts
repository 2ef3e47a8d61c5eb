import { describe, expect, it } from 'vitest';
import { closest, COMMAND_HELP, editDistance, isManagerOnly, parseCommand, tokenize, type DockhandCommand } from '../../src/slack/commands';

const ID = '111-1234567-1234567';

describe('parseCommand: commands that parse', () => {
  it.each<[string, DockhandCommand]>([
    ['', { kind: 'help' }],
    ['   ', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['HELP retry', { kind: 'help' }],
    ['status', { kind: 'status' }],
    ['  Status  ', { kind: 'status' }],
    [`order ${ID}`, { kind: 'order', amazonOrderId: ID }],
    [`ORDER   \`${ID}\``, { kind: 'order', amazonOrderId: ID }],
    [`order\u00A0${ID}`, { kind: 'order', amazonOrderId: ID }], // no-break space from a pasted web page
    ['quarantine', { kind: 'quarantine' }],
    [`retry ${ID}`, { kind: 'retry', all: false, target: ID }],
    ['retry all', { kind: 'retry', all: true }],
    ['retry ALL', { kind: 'retry', all: true }],
    ['Retry All', { kind: 'retry', all: true }],
    ['retry message-3f2a9c1e-0b1d-4c4e-9d61-2b8a4f0e7a11', { kind: 'retry', all: false, target: 'message-3f2a9c1e-0b1d-4c4e-9d61-2b8a4f0e7a11' }],
    ['sku map BLUE-MUG MUG-01', { kind: 'sku_map', amazonSku: 'BLUE-MUG', shipstationSku: 'MUG-01' }],
    ['SKU MAP blue-mug mug-01', { kind: 'sku_map', amazonSku: 'blue-mug', shipstationSku: 'mug-01' }],
    ['sku map "BLUE MUG 12oz" MUG-12', { kind: 'sku_map', amazonSku: 'BLUE MUG 12oz', shipstationSku: 'MUG-12' }],
    ['sku map \u201CBLUE MUG\u201D \u201CMUG 12\u201D', { kind: 'sku_map', amazonSku: 'BLUE MUG', shipstationSku: 'MUG 12' }],
    ["sku map KID'S-CUP CUP-1", { kind: 'sku_map', amazonSku: "KID'S-CUP", shipstationSku: 'CUP-1' }],
    ['sku map A&amp;B AB&lt;1&gt;', { kind: 'sku_map', amazonSku: 'A&B', shipstationSku: 'AB<1>' }],
    ['sku map TASSE-É-ü 杯子-1', { kind: 'sku_map', amazonSku: 'TASSE-É-ü', shipstationSku: '杯子-1' }],
    ['sku unmapped', { kind: 'sku_unmapped' }],
    ['pause', { kind: 'pause' }],
    ['pause default', { kind: 'pause', accountId: 'default' }],
    ['pause EU-Store', { kind: 'pause', accountId: 'eu-store' }],
    ['resume', { kind: 'resume' }],
    ['resume us-main', { kind: 'resume', accountId: 'us-main' }],
    ['audit', { kind: 'audit', limit: 20 }],
    ['audit 1', { kind: 'audit', limit: 1 }],
    ['audit 100', { kind: 'audit', limit: 100 }],
    ['audit 007', { kind: 'audit', limit: 7 }],
    ['late', { kind: 'late' }],
    ['LATE', { kind: 'late' }],
    ['reconcile', { kind: 'reconcile' }],
    ['reconcile default', { kind: 'reconcile', accountId: 'default' }],
    ['Reconcile EU-Store', { kind: 'reconcile', accountId: 'eu-store' }],
  ])('%j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });
});

describe('parseCommand: bad arguments are usage errors naming the problem', () => {
  it.each<[string, string, RegExp]>([
    ['order', 'order', /give one Amazon order ID/],
    ['order 123', 'order', /`123` is not an Amazon order ID/],
    [`order ${ID} ${ID}`, 'order', /give one Amazon order ID/],
    ['order 111-123456-1234567', 'order', /not an Amazon order ID/],
    ['order １１１-1234567-1234567', 'order', /not an Amazon order ID/], // full-width digits are not ASCII digits
    ['retry', 'retry', /Amazon order ID or `all`/],
    ['retry everything', 'retry', /`everything` is not an Amazon order ID.*or `all`/],
    ['retry all now', 'retry', /give one/],
    ['sku', 'sku', /say `map <amazon-sku> <shipstation-sku>` or `unmapped`/],
    ['sku map', 'sku map', /give the Amazon SKU and the ShipStation SKU/],
    ['sku map ONLY-ONE', 'sku map', /give the Amazon SKU and the ShipStation SKU/],
    ['sku map BLUE MUG MUG-12', 'sku map', /quote a SKU with spaces/],
    ['sku map "BLUE MUG MUG-12', 'sku', /quote opened at `"BLUE MUG MUG-12` is not closed/],
    ['sku map "" MUG-1', 'sku map', /must not be empty/],
    ['sku map " A" MUG-1', 'sku map', /start or end with a space/],
    ['sku unmapped please', 'sku unmapped', /takes no arguments/],
    ['sku mpa A B', 'sku', /unknown `sku` subcommand `mpa` — did you mean `sku map`\?/],
    ['sku list', 'sku', /unknown `sku` subcommand `list` — say `map` or `unmapped`/],
    ['status now', 'status', /`status` takes no arguments/],
    ['quarantine all', 'quarantine', /takes no arguments/],
    ['pause a b', 'pause', /at most one account ID/],
    ['pause my_store', 'pause', /`my_store` is not an account ID/],
    ['resume -x', 'resume', /not an account ID/],
    ['audit 0', 'audit', /from 1 to 100/],
    ['audit 101', 'audit', /from 1 to 100/],
    ['audit -5', 'audit', /from 1 to 100/],
    ['audit 2.5', 'audit', /from 1 to 100/],
    ['audit ten', 'audit', /from 1 to 100/],
    ['audit 10 20', 'audit', /from 1 to 100/],
    ['late now', 'late', /`late` takes no arguments/],
    ['reconcile a b', 'reconcile', /at most one account ID/],
    ['reconcile my_store', 'reconcile', /`my_store` is not an account ID/],
  ])('%j', (text, command, message) => {
    const cmd = parseCommand(text);
    expect(cmd).toMatchObject({ kind: 'usage', command });
    if (cmd.kind !== 'usage') throw new Error('unreachable');
    expect(cmd.message).toMatch(message);
    expect(cmd.message.startsWith('`/dockhand ')).toBe(true);
  });
});

describe('parseCommand: unknown commands', () => {
  it.each<[string, string | undefined, string]>([
    [`retyr ${ID}`, 'retry', `\`/dockhand retyr ${ID}\`: unknown command \`retyr\` — did you mean \`retry\`?`],
    ['stauts', 'status', '`/dockhand stauts`: unknown command `stauts` — did you mean `status`?'],
    ['quarantien', 'quarantine', '`/dockhand quarantien`: unknown command `quarantien` — did you mean `quarantine`?'],
    ['quar', 'quarantine', '`/dockhand quar`: unknown command `quar` — did you mean `quarantine`?'],
    ['Pasue default', 'pause', '`/dockhand Pasue default`: unknown command `Pasue` — did you mean `pause`?'],
    ['ship 111', undefined, '`/dockhand ship 111`: unknown command `ship` — `/dockhand help` lists the commands'],
    ['lat', 'late', '`/dockhand lat`: unknown command `lat` — did you mean `late`?'],
    ['reconsile', 'reconcile', '`/dockhand reconsile`: unknown command `reconsile` — did you mean `reconcile`?'],
    ['🚚 go', undefined, '`/dockhand 🚚 go`: unknown command `🚚` — `/dockhand help` lists the commands'],
    [ID, 'order', `\`/dockhand ${ID}\`: unknown command — to look up an order, say \`/dockhand order ${ID}\``],
    ['x`y', undefined, "`/dockhand x'y`: unknown command `x'y` — `/dockhand help` lists the commands"],
  ])('%j', (text, suggestion, message) => {
    const cmd = parseCommand(text);
    expect(cmd.kind).toBe('unknown');
    if (cmd.kind !== 'unknown') throw new Error('unreachable');
    expect(cmd.suggestion).toBe(suggestion);
    expect(cmd.message).toBe(message);
    expect(cmd.text).toBe(text.trim());
  });

  it('clips a very long input in the message', () => {
    const cmd = parseCommand(`frobnicate ${'x'.repeat(500)}`);
    if (cmd.kind !== 'unknown') throw new Error('expected unknown');
    expect(cmd.message.length).toBeLessThan(200);
    expect(cmd.message).toContain('…');
  });
});

describe('tokenize', () => {
  it.each<[string, string[]]>([
    ['a  b\tc\n d', ['a', 'b', 'c', 'd']],
    ['"a b" c', ['a b', 'c']],
    ['x"a b"y', ['xa by']],
    ['\u201Ea b\u201D', ['a b']],
    ['""', ['']],
    ['\u2003a\u3000b', ['a', 'b']], // em space, ideographic space
  ])('%j', (text, words) => {
    expect(tokenize(text)).toEqual({ words });
  });
});

describe('editDistance and closest', () => {
  it.each<[string, string, number]>([
    ['retry', 'retry', 0],
    ['retyr', 'retry', 1],
    ['rety', 'retry', 1],
    ['stauts', 'status', 1],
    ['', 'sku', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it.each<[string, string | undefined]>([
    ['x', undefined],
    ['sk', 'sku'],
    ['ordr', 'order'],
    ['statsu', 'status'],
    ['unmap', 'unmapped'],
    ['zzzzzz', undefined],
  ])('closest(%j)', (word, expected) => {
    expect(closest(word, ['help', 'status', 'order', 'quarantine', 'retry', 'sku', 'pause', 'resume', 'audit', 'map', 'unmapped'])).toBe(expected);
  });
});

describe('help and roles', () => {
  it('has one help line per command, each naming it', () => {
    for (const word of ['status', 'order', 'quarantine', 'retry', 'sku map', 'sku unmapped', 'pause', 'resume', 'audit', 'late', 'reconcile', 'route', 'rules', 'returns', 'report', 'stock', 'help']) {
      expect(COMMAND_HELP.filter((l) => l.startsWith(`\`/dockhand ${word}`))).toHaveLength(1);
    }
    expect(COMMAND_HELP).toHaveLength(17);
  });

  it.each<[string, boolean]>([
    ['pause', true],
    ['pause default', true],
    ['resume', true],
    ['resume x', true],
    ['retry all', false],
    ['sku map A B', false],
    ['status', false],
    ['late', false],
    ['reconcile', false], // only reads and reports; the fixes are separate buttons
    ['reconcile default', false],
    ['pasue', false],
  ])('isManagerOnly(%j) = %s', (text, expected) => {
    expect(isManagerOnly(parseCommand(text))).toBe(expected);
  });
});
