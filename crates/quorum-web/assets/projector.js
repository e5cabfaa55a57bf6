// The hall projector: a full-screen, read-only view of public information only — the
// meeting, the current item, the quorum, the featured poll's progress and results, the
// verdict, and the current speaker.

import { h, sig } from './dom.js';
import { projectorFloorBlocks } from './floor.js';
import { t } from './i18n.js';
import { meetingStatus, pollHead, quorumCard, resultsBlock } from './render.js';
import { currentItem, featuredPoll } from './view.js';

/** The projector's blocks: large, read-only, public information only. */
export function projectorBlocks(view) {
  const item = currentItem(view);
  const poll = featuredPoll(view);
  const quorum = view.quorum;
  const blocks = [
    {
      key: 'p-head',
      sig: sig(view.meeting),
      build: () =>
        h(
          'header',
          { class: 'projector-head' },
          h('h1', {}, view.meeting.details.title),
          h('p', { class: 'meta' }, meetingStatus(view.meeting.status), h('span', {}, view.meeting.details.location)),
        ),
    },
    {
      key: 'p-item',
      sig: sig(item),
      build: () =>
        h(
          'section',
          { class: 'card projector-item', 'aria-labelledby': 'item-heading' },
          h('h2', { id: 'item-heading', class: 'card-label' }, t('current_item')),
          h('p', { class: 'item-title' }, item ? item.title : t('no_current_item')),
        ),
    },
    { key: 'p-quorum', sig: sig(quorum), build: () => quorumCard(quorum, 'projector-quorum') },
  ];
  if (poll) {
    blocks.push({
      key: `p-poll:${poll.id}`,
      sig: sig(poll.spec, poll.status, poll.round, poll.progress, poll.results),
      build: () =>
        h('section', { class: 'card poll projector-poll', 'aria-labelledby': `poll-${poll.id}` }, pollHead(poll), resultsBlock(poll)),
    });
  }
  blocks.push(...projectorFloorBlocks(view));
  return blocks;
}
