import { expect } from '@open-wc/testing';
import { afterLoadWhenIdle, nextTask } from '../../widget/frame/schedule.js';

/** A stand-in window that records its load listener, idle callbacks and timers, run by hand. */
function fakeWindow(readyState: DocumentReadyState, withIdle = true) {
  const pending: { kind: string; run: () => void; timeout?: number }[] = [];
  let onLoad: (() => void) | null = null;
  const win = {
    document: { readyState },
    addEventListener: (type: string, listener: () => void) => type === 'load' && (onLoad = listener),
    setTimeout: (run: () => void) => pending.push({ kind: 'task', run }),
    ...(withIdle ? { requestIdleCallback: (run: () => void, options?: { timeout?: number }) => pending.push({ kind: 'idle', run, timeout: options?.timeout }) } : {}),
  };
  return { win: win as unknown as Window, pending, load: () => onLoad?.() };
}

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

  it('runs the deferred work only once the frame has loaded and the browser is idle', () => {
    const { win, pending, load } = fakeWindow('interactive');
    let runs = 0;
    afterLoadWhenIdle(() => runs++, win, 3000);
    expect(pending, 'nothing before the load').to.have.length(0);
    load();
    expect(pending.map((p) => [p.kind, p.timeout])).to.deep.equal([['idle', 3000]]);
    expect(runs).to.equal(0);
    pending[0]!.run();
    expect(runs).to.equal(1);
  });

  it('waits only for idle time when the frame has already loaded, and for the next task where there is no idle callback', () => {
    const loaded = fakeWindow('complete');
    let runs = 0;
    afterLoadWhenIdle(() => runs++, loaded.win);
    expect(loaded.pending.map((p) => p.kind)).to.deep.equal(['idle']);
    loaded.pending[0]!.run();

    const safari = fakeWindow('loading', false);
    afterLoadWhenIdle(() => runs++, safari.win);
    safari.load();
    expect(safari.pending.map((p) => p.kind)).to.deep.equal(['task']);
    safari.pending[0]!.run();
    expect(runs).to.equal(2);
  });
});
