// The device's side of voting: the choice being made on each ballot, the confirmation
// step, the ballot id kept until the hub acknowledges it (so a resend after a reconnect
// or a reload is the same ballot, never a second one) and the receipt. Updates from the
// hub never touch any of this: a choice half made stays made.

import { randomId } from './socket.js';
import { answersComplete, choiceBounds } from './view.js';

const STORE_PREFIX = 'quorum.ballots.';

/**
 * The ballots of one meeting on this device. A ballot is keyed by poll, round and seat;
 * its step is 'choosing', 'confirming', 'sending' or 'done'.
 */
export class Ballots {
  constructor(meeting) {
    this.storeKey = STORE_PREFIX + meeting;
    /** Key → {key, step, answers, error, changing, replaces}: this page's drafts. */
    this.drafts = new Map();
    /**
     * Key → {ballot, answers, replaces, previous} until acknowledged, then {ballot,
     * receipt}: the choice itself is dropped once the hub holds it.
     */
    this.saved = load(this.storeKey);
  }

  /** The ballot of `seat` (a MySeat of `poll`) as the screen shows it. */
  state(poll, seat) {
    const key = ballotKey(poll, seat.seat);
    const saved = this.saved[key];
    let draft = this.drafts.get(key);
    if (draft?.changing) return draft;
    const receipt = saved?.receipt ?? seat.receipt ?? null;
    if (seat.voted || receipt) {
      // Voted, and the receipt of a secret ballot still on its way in the ack.
      if (draft?.step === 'sending' && !receipt) return draft;
      return { key, step: 'done', receipt, answers: draft?.answers ?? null };
    }
    if (!draft) {
      // After a reload, a ballot sent but never acknowledged is offered again for
      // confirmation, with the same ballot id.
      draft = {
        key,
        step: saved?.answers ? 'confirming' : 'choosing',
        answers: saved?.answers ?? poll.spec.questions.map(() => []),
        error: null,
        changing: false,
        replaces: saved?.replaces ?? null,
      };
      this.drafts.set(key, draft);
    }
    return draft;
  }

  /** Chooses (or, where several may be chosen, toggles) option `option` of a question. */
  choose(poll, key, questionIndex, option) {
    const draft = this.drafts.get(key);
    if (!draft) return;
    const question = poll.spec.questions[questionIndex];
    const chosen = draft.answers[questionIndex];
    if (question.kind.kind !== 'select') {
      draft.answers[questionIndex] = [option];
    } else if (chosen.includes(option)) {
      draft.answers[questionIndex] = chosen.filter((o) => o !== option);
    } else if (chosen.length < choiceBounds(question)[1]) {
      draft.answers[questionIndex] = [...chosen, option].sort((a, b) => a - b);
    }
    draft.error = null;
    // One question, one choice: straight to the confirmation.
    if (poll.spec.questions.length === 1 && question.kind.kind !== 'select') draft.step = 'confirming';
  }

  /** Goes to the confirmation once every question is answered. */
  review(poll, key) {
    const draft = this.drafts.get(key);
    if (draft && answersComplete(poll.spec.questions, draft.answers)) draft.step = 'confirming';
  }

  /** Back from the confirmation to the choice, which is kept. */
  back(key) {
    const draft = this.drafts.get(key);
    if (draft) {
      draft.step = 'choosing';
      draft.error = null;
    }
  }

  /** Starts over to change a ballot (polls that allow it), replacing the current one. */
  change(poll, key) {
    const saved = this.saved[key];
    this.drafts.set(key, {
      key,
      step: 'choosing',
      answers: poll.spec.questions.map(() => []),
      error: null,
      changing: true,
      // A secret ballot names the ballot it replaces; only this device knows it.
      replaces: poll.spec.secret ? (saved?.ballot ?? null) : null,
    });
  }

  /**
   * The `cast_ballot` command for the confirmed choice, saved first so that a reload
   * resends the same ballot id. `seatArg` is null for the voter's own seat.
   */
  prepare(poll, key, seatArg) {
    const draft = this.drafts.get(key);
    const saved = this.saved[key];
    const unsent = saved && !saved.receipt ? saved : null;
    const ballot =
      unsent && JSON.stringify(unsent.answers) === JSON.stringify(draft.answers)
        ? unsent.ballot
        : randomId('b');
    const previous = saved?.receipt ? saved : (saved?.previous ?? null);
    this.saved[key] = { ballot, answers: draft.answers, replaces: draft.replaces, previous };
    this.persist();
    draft.step = 'sending';
    draft.error = null;
    return {
      type: 'cast_ballot',
      poll: poll.id,
      round: poll.round,
      ballot,
      seat: seatArg,
      answers: draft.answers,
      replaces: draft.replaces,
    };
  }

  /** The hub holds the ballot: keep its receipt, forget the choice. */
  acknowledged(key, receipt) {
    const saved = this.saved[key];
    this.saved[key] = { ballot: saved?.ballot, receipt };
    this.persist();
    const draft = this.drafts.get(key);
    if (draft) {
      draft.step = 'done';
      draft.changing = false;
    }
  }

  /** The hub refused the ballot (nothing was recorded): back to the confirmation. */
  rejected(key, error) {
    const saved = this.saved[key];
    if (saved?.previous) this.saved[key] = saved.previous;
    else delete this.saved[key];
    this.persist();
    const draft = this.drafts.get(key);
    if (draft) {
      draft.step = 'confirming';
      draft.error = error;
    }
  }

  persist() {
    try {
      localStorage.setItem(this.storeKey, JSON.stringify(this.saved));
    } catch {
      // Storage full or refused: the ballot still goes out, only a reload loses its id.
    }
  }
}

/** Where a seat's ballot in a poll's current round is kept. */
export function ballotKey(poll, seat) {
  return `${poll.id}/${poll.round}/${seat}`;
}

function load(storeKey) {
  try {
    return JSON.parse(localStorage.getItem(storeKey)) ?? {};
  } catch {
    return {};
  }
}
