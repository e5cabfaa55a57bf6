// A meeting as this device sees it: the hub's snapshot (a MeetingView) with each update's
// changes applied. Each change replaces one section of the view, exactly as
// crates/quorum-domain/src/view/change.rs lists them; plus a few questions the screens
// ask of a view.

/** Applies an update's changes, in order, to `view`. */
export function applyChanges(view, changes) {
  for (const change of changes) applyChange(view, change);
}

function applyChange(view, change) {
  switch (change.section) {
    case 'meeting':
      view.meeting = change.meeting;
      break;
    case 'me':
      view.me = change.me;
      break;
    case 'participant':
      upsert(view.participants, change.participant, (p) => p.member === change.participant.member);
      break;
    case 'participant_removed':
      remove(view.participants, (p) => p.member === change.member);
      // A proxy given to them is void.
      for (const p of view.participants) if (p.proxy_given_to === change.member) p.proxy_given_to = null;
      break;
    case 'quorum':
      view.quorum = change.quorum;
      break;
    case 'alert':
      view.alert = change.alert;
      break;
    case 'agenda':
      view.agenda = change.agenda;
      break;
    case 'poll':
      upsert(view.polls, change.poll, (p) => p.id === change.poll.id);
      break;
    case 'poll_removed':
      remove(view.polls, (p) => p.id === change.poll);
      break;
    case 'poll_progress': {
      const { poll: id, round, status, progress, results } = change.progress;
      const poll = view.polls.find((p) => p.id === id);
      if (poll) Object.assign(poll, { round, status, progress, results });
      break;
    }
    case 'my_seats': {
      const poll = view.polls.find((p) => p.id === change.poll);
      if (poll) Object.assign(poll, { round: change.round, my_seats: change.my_seats });
      break;
    }
    case 'seat_voted': {
      const poll = view.polls.find((p) => p.id === change.poll);
      if (poll && poll.round === change.round && Array.isArray(poll.voters)) {
        const vote = { seat: change.seat, cast_by: change.cast_by, answers: change.answers };
        upsert(poll.voters, vote, (v) => v.seat === change.seat);
      }
      break;
    }
    case 'floor':
      view.floor = change.floor;
      break;
    case 'conclusion':
      upsert(view.conclusions, change.conclusion, (c) => c.id === change.conclusion.id);
      break;
    case 'directive':
      upsert(view.directives, change.directive, (d) => d.id === change.directive.id);
      break;
    case 'projector':
      view.projector = change.projector;
      break;
    default:
      // A section this version does not know yet: the next snapshot will carry it.
      break;
  }
}

function upsert(list, item, matches) {
  const index = list.findIndex(matches);
  if (index === -1) list.push(item);
  else list[index] = item;
}

function remove(list, matches) {
  const index = list.findIndex(matches);
  if (index !== -1) list.splice(index, 1);
}

/** The agenda item being discussed, or null. */
export function currentItem(view) {
  return view.agenda.items.find((item) => item.id === view.agenda.current) ?? null;
}

/** A participant's name, or the member id if the roster does not hold them. */
export function nameOf(view, member) {
  return view.participants.find((p) => p.member === member)?.name ?? member;
}

/** Whether this device is the chair's: it may open and close polls. */
export function isChair(view) {
  return view.audience === 'keeper' && view.me?.role === 'chair';
}

const STATUS_ORDER = { open: 0, paused: 0, draft: 1, closed: 2, published: 2 };

/** The polls to show, running first, then drafts, then counted ones; the latest opened or closed first. */
export function pollsInOrder(view) {
  const latest = (poll) => poll.closed_at ?? poll.opening?.at ?? 0;
  return [...view.polls].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || latest(b) - latest(a));
}

/** The poll the hall should see: a running one, else the one counted last; never a draft. */
export function featuredPoll(view) {
  return pollsInOrder(view).find((poll) => poll.status !== 'draft') ?? null;
}

/** A poll by id, or null. */
export function pollById(view, id) {
  return view.polls.find((poll) => poll.id === id) ?? null;
}

/**
 * What the hall projector shows now (meeting/projector.rs): {screen, poll} with screen
 * 'welcome', 'agenda_item', 'poll', 'speaker' or 'quorum'. `auto` follows the polls: the
 * featured one, else the welcome screen.
 */
export function projectorScreen(view) {
  const display = view.projector ?? { kind: 'auto' };
  if (display.kind === 'auto') {
    const poll = featuredPoll(view);
    return { auto: true, screen: poll ? 'poll' : 'welcome', poll };
  }
  if (display.kind === 'poll') {
    const poll = pollById(view, display.poll);
    return poll ? { auto: false, screen: 'poll', poll } : { auto: false, screen: 'welcome', poll: null };
  }
  return { auto: false, screen: display.kind, poll: null };
}

/** The conclusions and directives of agenda item `item` (null: those of no item). */
export function outcomesOf(view, item) {
  const mine = (outcome) => (outcome.item ?? null) === (item ?? null);
  return { conclusions: view.conclusions.filter(mine), directives: view.directives.filter(mine) };
}

/** How many options a question offers (see poll/question.rs). */
export function optionCount(question) {
  switch (question.kind.kind) {
    case 'yes_no_abstain':
      return 3;
    case 'yes_no':
      return 2;
    default:
      return question.kind.options.length;
  }
}

/** The fewest and the most options an answer to `question` chooses. */
export function choiceBounds(question) {
  return question.kind.kind === 'select' ? [question.kind.min, question.kind.max] : [1, 1];
}

/** Whether every answer chooses as many options as its question allows. */
export function answersComplete(questions, answers) {
  return questions.every((question, index) => {
    const [min, max] = choiceBounds(question);
    const chosen = answers[index]?.length ?? 0;
    return chosen >= min && chosen <= max;
  });
}

/**
 * What a question's shares are measured against under the poll's majority rule
 * (rules.rs): {weight, kind} with kind 'members', 'present' or 'cast'. Announcements
 * say "28/31, 90.32% of all members" when the rule counts all members.
 */
export function shareBase(poll, results, questionIndex) {
  const base = poll.spec.majority.base;
  switch (base.kind) {
    case 'all_members':
      return { weight: results.bases.members, kind: 'members' };
    case 'members_present':
      return { weight: results.bases.present, kind: 'present' };
    case 'stated':
      return { weight: base.members, kind: 'members' };
    default: {
      const question = poll.spec.questions[questionIndex];
      const tally = results.tally.questions[questionIndex];
      let weight = results.tally.ballots.weight;
      if (poll.spec.majority.abstentions === 'excluded') {
        if (question.kind.kind === 'yes_no_abstain') weight -= tally.options[2].weight;
        if (question.kind.kind === 'select') weight -= tally.blank.weight;
      }
      return { weight, kind: 'cast' };
    }
  }
}
