import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeNewest, withEarlier } from '../../shared/message-pages.js';

const m = (...ns: number[]) => ns.map((n) => ({ id: `m${n}` }));
const ids = (list: Array<{ id: string }>) => list.map((x) => x.id);

describe('conversation pages in the browser', () => {
  it('keeps the earlier pages shown when the newest page is read again, each message once', () => {
    const shown = m(1, 2, 3, 4, 5, 6);
    const r = mergeNewest(shown, { messages: m(5, 6, 7), earlierCursor: 'c' });
    assert.deepEqual(ids(r.messages), ids(m(1, 2, 3, 4, 5, 6, 7)));
    assert.equal(r.kept, true);
  });

  it('shows only the new page when it shares nothing with what was shown while earlier messages exist (a gap)', () => {
    const r = mergeNewest(m(1, 2, 3), { messages: m(8, 9, 10), earlierCursor: 'c' });
    assert.deepEqual(ids(r.messages), ids(m(8, 9, 10)));
    assert.equal(r.kept, false, 'its own cursor then pages back');
  });

  it('takes the first page as it is, and puts an earlier page above what is shown', () => {
    const first = mergeNewest([], { messages: m(4, 5), earlierCursor: 'c' });
    assert.deepEqual([ids(first.messages), first.kept], [ids(m(4, 5)), false]);
    assert.deepEqual(ids(withEarlier(m(4, 5), m(2, 3, 4))), ids(m(2, 3, 4, 5)));
  });
});
