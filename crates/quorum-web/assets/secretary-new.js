// Creating a meeting (#new-meeting): from scratch or from a built-in template that fills
// in the usual agenda, with the kind, time, place, quorum and majority rules; the hub
// creates the meeting and then each agenda item, and the secretary lands on the meeting.
// Only accounts create meetings (an invitation link does not): see `mayCreateMeetings`.

import { call } from './api.js';
import { agendaTitles, formView } from './secretary-new-form.js';
import { defaultWhen, MAJORITY_RULES, meetingIdFor, QUORUM_RULES, TEMPLATES, templateTitle } from './secretary-templates.js';

/** Whether this session may create meetings: an account's, not an invitation's. */
export function mayCreateMeetings(session) {
  // Invitations and projectors sign in as `member:…` and `projector:…`; logins hold no ':'.
  const account = session?.session?.account ?? '';
  return account !== '' && !account.includes(':');
}

let itemKeys = 0;

function freshForm() {
  const when = defaultWhen('routine');
  return {
    template: 'blank',
    title: '',
    titleTouched: false,
    kind: 'routine',
    when,
    location: '',
    quorum: 'more_than_half',
    majority: 'all_members',
    items: [{ key: (itemKeys += 1), title: '' }],
    step: 'editing',
    invalid: {},
    created: null,
    done: 0,
    problem: null,
  };
}

/** The "create a meeting" screen: {render(), stop()}. */
export function newMeetingScreen(session, tools) {
  const form = freshForm();
  let stopped = false;
  const screen = {
    render: () => {
      if (!stopped) tools.show(formView(form, actions));
    },
    stop: () => {
      stopped = true;
    },
  };
  const actions = {
    template(id) {
      const template = TEMPLATES.find((candidate) => candidate.id === id);
      if (template.kind !== form.kind) form.when = defaultWhen(template.kind);
      form.template = id;
      form.kind = template.kind;
      form.majority = template.majority;
      if (!form.titleTouched || form.title.trim() === '') {
        form.title = templateTitle(template, form.when);
        form.titleTouched = false;
      }
      form.items = (template.items.length > 0 ? template.items : ['']).map((title) => ({ key: (itemKeys += 1), title }));
      screen.render();
      document.querySelector(`input[name="template"][value="${id}"]`)?.focus();
    },
    kind(kind) {
      if (kind !== form.kind) form.when = defaultWhen(kind);
      form.kind = kind;
      screen.render();
      document.querySelector(`input[name="kind"][value="${kind}"]`)?.focus();
    },
    addItem() {
      form.items.push({ key: (itemKeys += 1), title: '' });
      screen.render();
      document.getElementById(`sec-item-${form.items.length - 1}`)?.focus();
    },
    removeItem(index) {
      form.items.splice(index, 1);
      if (form.items.length === 0) form.items.push({ key: (itemKeys += 1), title: '' });
      screen.render();
      document.getElementById(`sec-item-${Math.min(index, form.items.length - 1)}`)?.focus();
    },
    async submit() {
      if (form.step !== 'editing') return;
      form.invalid = {};
      if (form.title.trim() === '') form.invalid.title = true;
      const at = new Date(form.when).getTime();
      if (!form.when || Number.isNaN(at)) form.invalid.when = true;
      if (form.invalid.title || form.invalid.when) {
        screen.render();
        document.getElementById(form.invalid.title ? 'sec-title' : 'sec-when')?.focus();
        return;
      }
      form.problem = null;
      form.step = 'creating';
      tools.showNotice(null);
      screen.render();
      try {
        form.created = await create(session, form, at);
      } catch (error) {
        form.step = 'editing';
        form.problem = error;
        screen.render();
        return;
      }
      form.step = 'items';
      await actions.addItems();
    },
    async addItems() {
      const titles = agendaTitles(form);
      form.step = 'items';
      form.problem = null;
      screen.render();
      for (let index = form.done; index < titles.length; index += 1) {
        try {
          await call('POST', `/api/meetings/${encodeURIComponent(form.created)}/commands`, {
            token: session.token,
            // The request id makes a retry after a lost answer harmless.
            body: {
              request: `${form.created}-nd-${index + 1}`,
              command: { type: 'add_item', item: `nd-${index + 1}`, title: titles[index], description: '', position: null },
            },
          });
        } catch (error) {
          if (error.code !== 'duplicate') {
            form.step = 'partial';
            form.problem = error;
            screen.render();
            return;
          }
          // Already added by an earlier try whose answer was lost.
        }
        form.done = index + 1;
        screen.render();
      }
      if (!stopped) location.hash = `#meeting=${encodeURIComponent(form.created)}`;
    },
  };
  return screen;
}

/** Creates the meeting; a clash of ids (very unlikely) gets a new random tail. */
async function create(session, form, at) {
  const body = {
    details: { title: form.title.trim(), kind: form.kind, location: form.location.trim(), scheduled_at: at },
    settings: {
      quorum: QUORUM_RULES[form.quorum],
      presence: { remote_counts: true, proxies_count: false },
      default_majority: MAJORITY_RULES[form.majority],
      proxies: { allowed: true, max_per_holder: 1 },
      speaking_times: { speech: 300_000, interpellation: 180_000, point_of_order: 60_000 },
    },
  };
  for (let attempt = 0; ; attempt += 1) {
    const meeting = meetingIdFor(form.title, at);
    try {
      await call('POST', '/api/meetings', { token: session.token, body: { meeting, ...body } });
      return meeting;
    } catch (error) {
      if (error.code !== 'duplicate' || attempt >= 2) throw error;
    }
  }
}

