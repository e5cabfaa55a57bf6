// The app's entry: routes between joining (/join#code=…), the list of my meetings and a
// live meeting (/app#meeting=…), wires the screens to the hub, and holds the device's own
// state — the choice being made, the chair's pending confirmations — which updates from
// the hub never reset.

import { codeFrom, forgetSession, HubError, listMeetings, redeem, savedSession, signOut } from './api.js';
import { Ballots } from './ballot.js';
import { describe, onLanguageChange, t, toggleLanguage, language } from './i18n.js';
import { alertActions } from './alert.js';
import { chairActions } from './chair.js';
import { documentActions, forgetDocuments, savedDocumentBlocks } from './documents.js';
import { h, patch } from './dom.js';
import { floorActions } from './floor.js';
import { projectorBlocks } from './projector.js';
import { joinScreen, meetingBlocks, meetingsScreen } from './render.js';
import { pushCard } from './push.js';
import { meetingsExtras, secretaryActions, secretaryScreen } from './secretary.js';
import { MeetingLink } from './socket.js';

const main = document.getElementById('main');
const banner = document.getElementById('connection');
const noticeArea = document.getElementById('notice');
const languageButton = document.getElementById('language');
const signOutButton = document.getElementById('sign-out');

/** The screen on show: {render(), stop()}. */
let screen = null;
/** The error on show, kept to show it again in the other language. */
let notice = null;
/** The connection state on show. */
let connection = null;
/** How many meetings the list held: a back link makes sense only with more than one. */
let meetingCount = 0;

const CONNECTION_GLYPHS = { connecting: '…', online: '●', retrying: '!', stopped: '■' };

function start() {
  languageButton.addEventListener('click', toggleLanguage);
  signOutButton.addEventListener('click', async () => {
    const session = savedSession();
    if (!session || !window.confirm(t('sign_out_confirm'))) return;
    await signOut(session.token).catch(() => {});
    await forgetDocuments();
    history.replaceState(null, '', '/app');
    route();
  });
  onLanguageChange(() => {
    chrome();
    showConnection(connection);
    showNotice(notice);
    screen?.render();
  });
  window.addEventListener('hashchange', route);
  chrome();
  route();
}

function route() {
  screen?.stop();
  screen = null;
  showConnection(null);
  document.body.classList.remove('projector');
  document.title = t('page_title');
  if (location.pathname === '/join') {
    const code = codeFrom(location.hash);
    // The one-time code leaves the address bar and the history at once.
    history.replaceState(null, '', '/app');
    if (code) {
      join(code);
      return;
    }
  }
  const session = savedSession();
  signOutButton.hidden = !session;
  if (!session) {
    showJoin('');
    return;
  }
  const desk = secretaryScreen(location.hash, session, { show, showNotice, route, loading });
  if (desk) {
    setScreen(desk);
    return;
  }
  const meeting = new URLSearchParams(location.hash.slice(1)).get('meeting');
  if (meeting) openMeeting(session, meeting);
  else showMeetings(session, location.hash !== '#meetings');
}

function chrome() {
  languageButton.textContent = t('other_language');
  languageButton.lang = language() === 'vi' ? 'en' : 'vi';
  signOutButton.textContent = t('sign_out');
}

function setScreen(next) {
  screen = next;
  next.render();
}

function show(node) {
  main.replaceChildren(node);
}

function loading(key = 'loading') {
  return h('p', { class: 'loading' }, t(key));
}

async function join(code) {
  setScreen({ render: () => show(loading('joining')), stop() {} });
  try {
    await redeem(code);
    showNotice(null);
    route();
  } catch (error) {
    showNotice(error);
    // A network failure leaves the code unused: offer it again. Any other answer means
    // the code is spent or wrong.
    showJoin(error.code === 'network' ? code : '');
  }
}

function showJoin(prefill) {
  setScreen({
    render: () =>
      show(
        joinScreen(prefill, (text) => {
          const code = codeFrom(text);
          if (code) join(code);
          else showNotice(new HubError('invalid_code'));
        }),
      ),
    stop() {},
  });
}

function showMeetings(session, openTheOnlyOne) {
  let meetings = null;
  const current = {
    render: () => show(meetings ? h('div', {}, meetingsScreen(meetings), pushCard(session), meetingsExtras(session)) : loading()),
    stop() {},
  };
  setScreen(current);
  listMeetings(session.token).then(
    (list) => {
      if (screen !== current) return;
      meetingCount = list.length;
      if (openTheOnlyOne && list.length === 1) {
        history.replaceState(null, '', `/app#meeting=${encodeURIComponent(list[0].id)}`);
        route();
        return;
      }
      meetings = list;
      current.render();
    },
    (error) => {
      if (screen === current) sessionProblem(error);
    },
  );
}

/** The session is gone (sign in again) or something else failed (say so). */
function sessionProblem(error) {
  showNotice(error);
  if (error.code === 'unauthenticated') {
    forgetSession();
    // The documents this session saved go with it.
    forgetDocuments().catch(() => {});
    history.replaceState(null, '', '/app');
    route();
  }
}

function openMeeting(session, meetingId) {
  const ballots = new Ballots(meetingId);
  const ui = {
    ballots,
    chair: new Map(),
    checkIn: null,
    status: 'connecting',
    backLink: meetingCount > 1,
    focus: null,
    actions: null,
  };
  let view = null;

  const render = () => {
    if (screen !== current) return;
    if (!view) {
      // With no connection yet, the documents saved on this device can still be read.
      const saved = savedDocumentBlocks(ui);
      if (saved) patch(main, saved);
      else show(loading());
      return;
    }
    document.title = `${view.meeting.details.title} — Quorum`;
    const projector = view.audience === 'projector';
    document.body.classList.toggle('projector', projector);
    patch(main, projector ? projectorBlocks(view) : meetingBlocks(view, ui));
    if (ui.focus) {
      main.querySelector(`[data-focus="${CSS.escape(ui.focus)}"]`)?.focus();
      ui.focus = null;
    }
  };

  const link = new MeetingLink(meetingId, session.token, {
    onStatus(status) {
      ui.status = status;
      showConnection(status);
      render();
    },
    onView(next) {
      view = next;
      render();
    },
    onFatal(error) {
      if (screen !== current) return;
      if (error.code === 'unauthenticated') {
        sessionProblem(error);
        return;
      }
      showNotice(error);
      history.replaceState(null, '', '/app#meetings');
      route();
    },
  });

  const chairCommand = (poll, command) => {
    if (ui.chair.get(poll.id) === 'sending') return;
    ui.chair.set(poll.id, 'sending');
    render();
    link
      .command(command)
      .catch(showNotice)
      .finally(() => {
        ui.chair.delete(poll.id);
        render();
      });
  };

  ui.actions = {
    checkIn(mode) {
      if (ui.checkIn) return;
      ui.checkIn = 'sending';
      render();
      link
        .command({ type: 'check_in', member: null, mode })
        .catch(showNotice)
        .finally(() => {
          ui.checkIn = null;
          render();
        });
    },
    choose(poll, key, question, option) {
      ballots.choose(poll, key, question, option);
      const step = ballots.drafts.get(key)?.step;
      ui.focus = step === 'confirming' ? `confirm:${key}` : `choice:${key}:${question}:${option}`;
      render();
    },
    review(poll, key) {
      ballots.review(poll, key);
      ui.focus = `confirm:${key}`;
      render();
    },
    back(key) {
      ballots.back(key);
      ui.focus = `choice:${key}:0:0`;
      render();
    },
    confirm(poll, key, seat) {
      if (ballots.drafts.get(key)?.step !== 'confirming') return;
      const command = ballots.prepare(poll, key, seat);
      render();
      link.command(command).then(
        (ack) => {
          ballots.acknowledged(key, ack.receipt);
          ui.focus = `done:${key}`;
          render();
        },
        (error) => {
          ballots.rejected(key, error);
          ui.focus = `confirm:${key}`;
          render();
        },
      );
    },
    changeVote(poll, key) {
      ballots.change(poll, key);
      ui.focus = `choice:${key}:0:0`;
      render();
    },
    closePoll(poll, confirmed) {
      if (!confirmed) {
        ui.chair.set(poll.id, 'confirm-close');
        ui.focus = `close-now:${poll.id}`;
        render();
        return;
      }
      chairCommand(poll, { type: 'close_poll', poll: poll.id });
    },
    publishPoll(poll) {
      chairCommand(poll, { type: 'publish_poll', poll: poll.id });
    },
    cancelChair(poll) {
      ui.chair.delete(poll.id);
      render();
    },
  };
  // Each screen's module adds its own actions; they reach the hub through `ctx`.
  const ctx = { meetingId, session, link, view: () => view, ui, render, notice: showNotice };

  Object.assign(
    ui.actions,
    alertActions(ctx),
    chairActions(ctx),
    documentActions(ctx),
    floorActions(ctx),
    secretaryActions(ctx),
  );
  const current = { render, stop: () => link.stop() };
  setScreen(current);
  link.start();
}

function showConnection(status) {
  connection = status;
  // A working connection needs no words: the banner shows only while it is not working,
  // so a reconnection that succeeds is silent.
  banner.hidden = !status || status === 'online';
  document.body.dataset.connection = status ?? '';
  if (banner.hidden) return;
  banner.className = `banner banner--${status}`;
  banner.replaceChildren(h('span', { class: 'glyph', 'aria-hidden': 'true' }, CONNECTION_GLYPHS[status]), ' ', t(status));
}

function showNotice(error) {
  notice = error;
  if (!error) {
    noticeArea.replaceChildren();
    return;
  }
  noticeArea.replaceChildren(
    h(
      'div',
      { class: 'notice' },
      h('p', {}, h('span', { class: 'glyph', 'aria-hidden': 'true' }, '!'), ' ', describe(error)),
      h('button', { type: 'button', class: 'notice-dismiss', onclick: () => showNotice(null) }, t('dismiss')),
    ),
  );
}

start();
