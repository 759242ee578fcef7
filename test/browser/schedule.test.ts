import { expect } from '@open-wc/testing';
import { nextTask } from '../../widget/frame/schedule.js';

describe('frame scheduling', () => {
  it('resolves nextTask only after the current task and its microtasks', async () => {
    const order: string[] = [];
    void nextTask().then(() => order.push('next task'));
    queueMicrotask(() => order.push('microtask'));
    await Promise.resolve();
    await Promise.resolve();
    expect(order).to.deep.equal(['microtask']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).to.deep.equal(['microtask', 'next task']);
  });
});
