// The sandbox's Slack-like client. Plain browser JS on purpose: no build step, no network but
// the simulator that served it. All app traffic goes through the simulator, which signs it.
(function () {
  'use strict';

  const params = new URLSearchParams(location.search);
  const ui = {
    user: params.get('user') || localStorage.getItem('dockhand-sandbox-user') || '',
    channel: params.get('channel') || localStorage.getItem('dockhand-sandbox-channel') || '',
    version: -1,
    data: null,
    renderedModal: '',
    lastSeen: JSON.parse(localStorage.getItem('dockhand-sandbox-seen') || '{}'),
    busy: new Set(),
  };
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------ mrkdwn

  const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  // Slack escapes &, < and > in message text; undo that before we escape for HTML ourselves.
  const unescapeSlack = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

  function userName(id) {
    const u = ui.data && ui.data.users.find((x) => x.id === id);
    if (u) return u.name;
    if (ui.data && id === ui.data.bot.id) return ui.data.bot.name;
    return id;
  }

  function angleToken(inner) {
    const [target, label] = splitOnce(inner, '|');
    if (target.startsWith('@')) return `<span class="mention">@${escapeHtml(label || userName(target.slice(1)))}</span>`;
    if (target.startsWith('#')) {
      const ch = ui.data && ui.data.channels.find((c) => c.id === target.slice(1));
      return `<span class="mention">#${escapeHtml(label || (ch ? ch.name : target.slice(1)))}</span>`;
    }
    if (target.startsWith('!subteam^')) {
      const g = ui.data && ui.data.usergroups.find((x) => x.id === target.slice(9));
      return `<span class="mention">${escapeHtml(label || (g ? '@' + g.handle : '@group'))}</span>`;
    }
    if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(label || target.slice(1).split('^')[0])}</span>`;
    const href = unescapeSlack(target);
    const safe = /^(https?:|mailto:)/i.test(href) ? href : '#';
    return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">${escapeHtml(unescapeSlack(label || target))}</a>`;
  }

  function splitOnce(s, sep) {
    const i = s.indexOf(sep);
    return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
  }

  function inlineFormat(s) {
    return s
      .replace(/(^|[\s(>])\*([^*\n]+?)\*(?=$|[\s).,!?:;<])/g, '$1<b>$2</b>')
      .replace(/(^|[\s(>])_([^_\n]+?)_(?=$|[\s).,!?:;<])/g, '$1<i>$2</i>')
      .replace(/(^|[\s(>])~([^~\n]+?)~(?=$|[\s).,!?:;<])/g, '$1<s>$2</s>')
      .replace(/:([a-z0-9_+-]+):/g, (all, name) => (EMOJI[name] ? `<span class="emoji" title=":${name}:">${EMOJI[name]}</span>` : `<span class="emoji">${all}</span>`));
  }

  /** The shortcodes Dockhand's messages use, drawn as Slack draws them; others stay as text. */
  const EMOJI = {
    warning: '\u26a0\ufe0f',
    white_check_mark: '\u2705',
    construction: '\ud83d\udea7',
    zap: '\u26a1',
    point_right: '\ud83d\udc49',
    lock: '\ud83d\udd12',
    hourglass_flowing_sand: '\u23f3',
    x: '\u274c',
    rotating_light: '\ud83d\udea8',
    question: '\u2753',
    package: '\ud83d\udce6',
    fast_forward: '\u23e9',
    double_vertical_bar: '\u23f8\ufe0f',
    alarm_clock: '\u23f0',
  };

  /** Renders Slack mrkdwn to HTML: links, mentions, `code`, ```blocks```, *bold*, _italic_, ~strike~, > quotes. */
  function mrkdwn(text) {
    const slots = [];
    const keep = (html) => `\u0000${slots.push(html) - 1}\u0000`;
    let s = String(text || '');
    s = s.replace(/```([\s\S]*?)```/g, (_, code) => keep(`<pre>${escapeHtml(unescapeSlack(code.replace(/^\n/, '')))}</pre>`));
    s = s.replace(/`([^`\n]+)`/g, (_, code) => keep(`<code>${escapeHtml(unescapeSlack(code))}</code>`));
    s = s.replace(/<([^<>\n]+)>/g, (_, inner) => keep(angleToken(inner)));
    s = escapeHtml(unescapeSlack(s));
    s = s
      .split('\n')
      .map((line) => (line.startsWith('&gt; ') || line === '&gt;' ? `<blockquote>${inlineFormat(line.replace(/^&gt; ?/, ''))}</blockquote>` : inlineFormat(line)))
      .join('<br>')
      .replace(/<\/blockquote><br>/g, '</blockquote>');
    return s.replace(/\u0000(\d+)\u0000/g, (_, i) => slots[Number(i)]);
  }

  function textObject(t) {
    if (!t) return '';
    if (t.type === 'mrkdwn') return mrkdwn(t.text);
    return escapeHtml(String(t.text || '')).replace(/\n/g, '<br>');
  }

  // ------------------------------------------------------------ Block Kit

  function el(tag, cls, html) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (html !== undefined) e.innerHTML = html;
    return e;
  }

  /** `where` says what a click means: {channel, ts} for a message, {viewId} for a modal. */
  function renderElement(element, blockId, where) {
    if (element.type === 'button') {
      const b = el('button', 'btn' + (element.style === 'primary' ? ' btn-primary' : element.style === 'danger' ? ' btn-danger' : ''));
      b.type = 'button';
      b.textContent = (element.text && element.text.text) || element.action_id;
      b.dataset.actionId = element.action_id;
      b.dataset.blockId = blockId;
      const key = JSON.stringify([where, element.action_id, blockId]);
      b.disabled = ui.busy.has(key);
      b.addEventListener('click', () => clickButton(element, blockId, where, key));
      return b;
    }
    if (element.type === 'image') return el('span', 'block-image', escapeHtml('[image: ' + (element.alt_text || '') + ']'));
    const label = element.placeholder ? element.placeholder.text : element.type;
    return el('span', 'chip', escapeHtml(String(label)));
  }

  function renderBlock(block, where) {
    switch (block.type) {
      case 'header':
        return el('div', 'block block-header', textObject(block.text));
      case 'divider':
        return el('hr', 'block-divider');
      case 'context': {
        const d = el('div', 'block block-context');
        for (const e of block.elements || []) {
          d.appendChild(e.type === 'image' ? el('span', '', escapeHtml('[' + (e.alt_text || 'image') + ']')) : el('span', 'text', textObject(e)));
        }
        return d;
      }
      case 'actions': {
        const d = el('div', 'block block-actions');
        for (const e of block.elements || []) d.appendChild(renderElement(e, block.block_id, where));
        return d;
      }
      case 'section': {
        const d = el('div', 'block block-section');
        const main = el('div', 'section-main');
        if (block.text) main.appendChild(el('div', 'text', textObject(block.text)));
        if (block.fields && block.fields.length) {
          const f = el('div', 'fields');
          for (const field of block.fields) f.appendChild(el('div', 'text', textObject(field)));
          main.appendChild(f);
        }
        d.appendChild(main);
        if (block.accessory) d.appendChild(renderElement(block.accessory, block.block_id, where));
        return d;
      }
      case 'image': {
        // An image uploaded through files.getUploadURLExternal is shown from the simulator's own store.
        const id = block.slack_file && block.slack_file.id;
        if (!id) return el('div', 'block block-image', escapeHtml('[image: ' + (block.alt_text || '') + ']'));
        const img = document.createElement('img');
        img.className = 'block block-picture';
        img.src = '/_sim/files/' + encodeURIComponent(id);
        img.alt = block.alt_text || '';
        return img;
      }
      case 'rich_text':
        return el('div', 'block text', escapeHtml(JSON.stringify(block.elements).slice(0, 200)));
      default:
        return el('div', 'block chip', escapeHtml('[' + block.type + ' block]'));
    }
  }

  // ------------------------------------------------------------ messages

  function formatTime(ts) {
    return new Date(Number(String(ts).split('.')[0]) * 1000).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
  }

  function renderMessage(m) {
    const row = el('div', 'msg' + (m.visibleTo ? ' ephemeral' : ''));
    row.dataset.ts = m.ts;
    const isSlackbot = m.user === 'USLACKBOT';
    const author = isSlackbot ? 'Slackbot' : m.bot_id ? 'Dockhand' : userName(m.user);
    row.appendChild(el('div', 'avatar' + (isSlackbot ? ' slackbot' : ''), escapeHtml(author.slice(0, 1).toUpperCase())));
    const body = el('div', 'msg-body');
    if (m.visibleTo) body.appendChild(el('div', 'only-you', 'Only visible to you'));
    const meta = el('div', 'msg-meta');
    meta.appendChild(el('span', 'msg-author', escapeHtml(author)));
    if (m.bot_id) meta.appendChild(el('span', 'app-tag', 'APP'));
    meta.appendChild(el('span', 'msg-time', escapeHtml(formatTime(m.ts))));
    if (m.updated > 0) meta.appendChild(el('span', 'edited', '(edited)'));
    body.appendChild(meta);
    const where = { channel: m.channel, ts: m.ts };
    if (m.blocks && m.blocks.length) for (const b of m.blocks) body.appendChild(renderBlock(b, where));
    else body.appendChild(el('div', 'text', mrkdwn(m.text)));
    for (const f of m.files || []) {
      const a = document.createElement('a');
      a.className = 'block file';
      a.href = '/_sim/files/' + encodeURIComponent(f.id);
      a.download = f.name;
      a.textContent = '\u{1F4CE} ' + (f.title || f.name) + ' (' + f.size + ' bytes)';
      body.appendChild(a);
    }
    row.appendChild(body);
    return row;
  }

  function renderMessages() {
    const box = $('messages');
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.replaceChildren();
    const mine = ui.data.messages.filter((m) => m.channel === ui.channel).sort((a, b) => compareTs(a.ts, b.ts));
    const roots = mine.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    if (roots.length === 0) box.appendChild(el('div', 'empty', 'No messages yet. Try <code>/dockhand help</code>.'));
    for (const m of roots) {
      const row = renderMessage(m);
      const replies = mine.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts);
      if (replies.length) {
        const thread = el('div', 'replies');
        for (const r of replies) thread.appendChild(renderMessage(r));
        row.querySelector('.msg-body').appendChild(thread);
      }
      box.appendChild(row);
    }
    // Replies whose parent this client cannot see still deserve a place.
    for (const r of mine.filter((x) => x.thread_ts && x.thread_ts !== x.ts && !roots.some((p) => p.ts === x.thread_ts))) box.appendChild(renderMessage(r));
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  function compareTs(a, b) {
    const [as, au] = a.split('.').map(Number);
    const [bs, bu] = b.split('.').map(Number);
    return as - bs || au - bu;
  }

  // ------------------------------------------------------------ sidebar

  function renderSidebar() {
    const channels = $('channel-list');
    const dms = $('dm-list');
    channels.replaceChildren();
    dms.replaceChildren();
    for (const c of ui.data.channels) {
      const li = el('li');
      const b = el('button');
      b.type = 'button';
      b.dataset.channel = c.id;
      const unread = ui.data.messages.filter((m) => m.channel === c.id && compareTs(m.ts, ui.lastSeen[c.id] || '0.0') > 0).length;
      b.className = (c.id === ui.channel ? 'active' : '') + (unread && c.id !== ui.channel ? ' unread' : '');
      b.appendChild(el('span', '', escapeHtml((c.is_im ? '@ Dockhand' : '# ' + c.name))));
      if (unread && c.id !== ui.channel) b.appendChild(el('span', 'badge', String(unread)));
      b.addEventListener('click', () => selectChannel(c.id));
      li.appendChild(b);
      (c.is_im ? dms : channels).appendChild(li);
    }
    const app = ui.data.appRequestUrl;
    $('app-status').innerHTML = app
      ? `<span class="dot"></span>App: ${escapeHtml(app)}`
      : '<span class="dot off"></span>No app connected (Request URL not set)';
  }

  function renderUsers() {
    const sel = $('user-switcher');
    if (sel.options.length === ui.data.users.length) return;
    sel.replaceChildren();
    for (const u of ui.data.users) {
      const o = document.createElement('option');
      o.value = u.id;
      o.textContent = u.title ? `${u.real_name.split(' ')[0]} (${u.title})` : u.real_name;
      sel.appendChild(o);
    }
    sel.value = ui.user;
  }

  function selectChannel(id) {
    ui.channel = id;
    localStorage.setItem('dockhand-sandbox-channel', id);
    render();
  }

  // ------------------------------------------------------------ modal

  function renderInput(block, values) {
    const wrap = el('div', 'input-block');
    wrap.dataset.blockId = block.block_id;
    const e = block.element || {};
    const inputId = 'in-' + block.block_id;
    const label = el('label', '', textObject(block.label) + (block.optional ? ' <span class="optional">(optional)</span>' : ''));
    label.htmlFor = inputId;
    wrap.appendChild(label);
    let control;
    if (e.type === 'static_select' || e.type === 'users_select' || e.type === 'radio_buttons') {
      control = document.createElement('select');
      const blank = document.createElement('option');
      blank.value = '';
      blank.textContent = e.placeholder ? e.placeholder.text : 'Select an option';
      control.appendChild(blank);
      const options = e.type === 'users_select'
        ? ui.data.users.map((u) => ({ value: u.id, text: { text: u.real_name } }))
        : (e.options || []).concat(...(e.option_groups || []).map((g) => g.options || []));
      for (const opt of options) {
        const o = document.createElement('option');
        o.value = opt.value;
        o.textContent = opt.text.text;
        control.appendChild(o);
      }
      const initial = e.initial_option ? e.initial_option.value : e.initial_user || '';
      control.value = values[block.block_id] !== undefined ? values[block.block_id] : initial;
    } else if (e.type === 'checkboxes' || e.type === 'multi_static_select') {
      control = el('div', 'checks');
      for (const opt of e.options || []) {
        const l = el('label');
        const c = document.createElement('input');
        c.type = 'checkbox';
        c.value = opt.value;
        l.appendChild(c);
        l.appendChild(document.createTextNode(opt.text.text));
        control.appendChild(l);
      }
    } else {
      control = document.createElement(e.multiline ? 'textarea' : 'input');
      if (!e.multiline) control.type = e.type === 'number_input' ? 'number' : e.type === 'datepicker' ? 'date' : 'text';
      if (e.placeholder) control.placeholder = e.placeholder.text;
      control.value = values[block.block_id] !== undefined ? values[block.block_id] : e.initial_value || e.initial_date || '';
    }
    control.id = inputId;
    control.dataset.actionId = e.action_id;
    control.dataset.kind = e.type;
    wrap.appendChild(control);
    if (block.hint) wrap.appendChild(el('div', 'hint', textObject(block.hint)));
    wrap.appendChild(el('div', 'field-error'));
    return wrap;
  }

  /** What the user has typed so far, so a re-render (new errors, poll) keeps it. */
  function currentInputs() {
    const out = {};
    for (const wrap of $('modal-body').querySelectorAll('.input-block')) {
      const control = wrap.querySelector('[data-action-id]');
      if (!control) continue;
      if (control.classList.contains('checks')) out[wrap.dataset.blockId] = [...control.querySelectorAll('input:checked')].map((c) => c.value);
      else out[wrap.dataset.blockId] = control.value;
    }
    return out;
  }

  function renderModal() {
    const sim = ui.data.view;
    const backdrop = $('modal-backdrop');
    if (!sim) {
      backdrop.hidden = true;
      ui.renderedModal = '';
      return;
    }
    const v = sim.view;
    const key = sim.id + ':' + v.hash;
    if (ui.renderedModal !== key) {
      const keepValues = ui.renderedModal.startsWith(sim.id + ':') ? currentInputs() : {};
      ui.renderedModal = key;
      $('modal').dataset.viewId = sim.id;
      $('modal-title').textContent = (v.title && v.title.text) || '';
      $('modal-submit').textContent = (v.submit && v.submit.text) || 'Submit';
      $('modal-submit').hidden = !v.submit;
      $('modal-cancel').textContent = (v.close && v.close.text) || 'Cancel';
      const body = $('modal-body');
      body.replaceChildren();
      for (const block of v.blocks || []) {
        body.appendChild(block.type === 'input' ? renderInput(block, keepValues) : renderBlock(block, { viewId: sim.id }));
      }
      backdrop.hidden = false;
    }
    const errors = sim.errors || {};
    $('modal-error').hidden = !errors[''];
    $('modal-error').textContent = errors[''] || '';
    for (const wrap of $('modal-body').querySelectorAll('.input-block')) {
      const msg = errors[wrap.dataset.blockId] || '';
      wrap.classList.toggle('has-error', Boolean(msg));
      wrap.querySelector('.field-error').textContent = msg;
    }
  }

  async function submitModal(ev) {
    ev.preventDefault();
    const sim = ui.data.view;
    if (!sim) return;
    const values = {};
    for (const [blockId, value] of Object.entries(currentInputs())) {
      const block = sim.view.blocks.find((b) => b.block_id === blockId);
      values[blockId] = { [block.element.action_id]: value === '' ? null : value };
    }
    $('modal-submit').disabled = true;
    try {
      await act('/_sim/submit', { user: ui.user, viewId: sim.id, values }, 'Submit');
    } finally {
      $('modal-submit').disabled = false;
    }
  }

  async function cancelModal() {
    const sim = ui.data.view;
    if (!sim) return;
    await act('/_sim/close', { user: ui.user, viewId: sim.id }, 'Close');
  }

  // ------------------------------------------------------------ actions

  function toast(text, bad) {
    const t = $('toast');
    t.textContent = text;
    t.className = 'toast' + (bad ? ' bad' : '');
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (t.hidden = true), bad ? 6000 : 2500);
  }

  async function act(path, body, what) {
    try {
      const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const out = await res.json();
      if (!out.ok) toast(`${what}: ${out.error}`, true);
      else if (out.reply && out.reply.status !== 200 && out.reply.error !== 'required_fields_missing') {
        toast(`${what}: the app ${out.reply.status ? 'answered HTTP ' + out.reply.status : 'did not answer (' + out.reply.error + ')'}`, true);
      }
      return out;
    } catch (e) {
      toast(`${what}: ${e}`, true);
      return null;
    } finally {
      await poll();
    }
  }

  async function clickButton(element, blockId, where, key) {
    if (element.confirm && !window.confirm(element.confirm.text ? element.confirm.text.text : 'Are you sure?')) return;
    if (element.url) window.open(element.url, '_blank', 'noopener');
    ui.busy.add(key);
    render();
    try {
      await act('/_sim/click', { user: ui.user, ...where, actionId: element.action_id, blockId, value: element.value }, 'Button');
    } finally {
      ui.busy.delete(key);
      render();
    }
  }

  async function sendComposer(ev) {
    ev.preventDefault();
    const input = $('composer');
    const text = input.value.trim();
    if (!text) return;
    const m = /^(\/\S+)\s*([\s\S]*)$/.exec(text);
    if (!m) {
      toast('Only slash commands reach the app in this sandbox. Try /dockhand help', true);
      return;
    }
    input.value = '';
    const out = await act('/_sim/command', { user: ui.user, channel: ui.channel, command: m[1], text: m[2] }, m[1]);
    if (out && out.ok && out.reply.status === 200) toast(`${m[1]} ${m[2]} sent`, false);
  }

  // ------------------------------------------------------------ loop

  function render() {
    if (!ui.data) return;
    if (!ui.data.channels.some((c) => c.id === ui.channel)) ui.channel = ui.data.channels[0] ? ui.data.channels[0].id : '';
    const ch = ui.data.channels.find((c) => c.id === ui.channel);
    const latest = ui.data.messages.filter((m) => m.channel === ui.channel).map((m) => m.ts).sort(compareTs).pop();
    if (latest) {
      ui.lastSeen[ui.channel] = latest;
      localStorage.setItem('dockhand-sandbox-seen', JSON.stringify(ui.lastSeen));
    }
    $('team-name').textContent = ui.data.team.name;
    $('channel-title').textContent = ch ? (ch.is_im ? '@ Dockhand' : '# ' + ch.name) : '';
    $('channel-note').textContent = ch && !ch.is_member && !ch.is_im ? 'Dockhand is not in this channel' : '';
    renderUsers();
    renderSidebar();
    renderMessages();
    renderModal();
  }

  async function poll() {
    try {
      const res = await fetch(`/_sim/state?user=${encodeURIComponent(ui.user)}&since=${ui.version}`, { cache: 'no-store' });
      const state = await res.json();
      if (state.unchanged) return;
      ui.data = state;
      ui.version = state.version;
      if (!state.users.some((u) => u.id === ui.user)) ui.user = state.users[0] ? state.users[0].id : '';
      render();
      document.body.dataset.version = String(state.version);
    } catch {
      // The simulator is restarting or gone; the next tick tries again.
    }
  }

  $('user-switcher').addEventListener('change', (ev) => {
    ui.user = ev.target.value;
    localStorage.setItem('dockhand-sandbox-user', ui.user);
    ui.version = -1;
    ui.renderedModal = '';
    poll();
  });
  $('composer-form').addEventListener('submit', sendComposer);
  $('modal').addEventListener('submit', submitModal);
  $('modal-cancel').addEventListener('click', cancelModal);
  $('modal-x').addEventListener('click', cancelModal);
  poll();
  setInterval(poll, 1000);
})();
