/**
 * When the frame does its work. On a clinic's site each frame has its own process, but on our patient
 * portal (/p/<clinic>) the three frames are same-origin with the page and share its main thread: work
 * that would be one long task there is split.
 */

/**
 * Resolves in a task of its own, after the current one (and its microtasks) has ended. A message, not
 * a timer: browsers delay timers in hidden frames (a launcher's closed dialog) by up to a second.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
