/**
 * The number of unread messages from the clinic, for the launcher's badge on the host page (a count
 * is not health information). Read from the conversation lists the messages view already fetches,
 * so no extra request is made and the view itself need not know about the host page.
 */
import type { PatientApi } from './patient-api.js';

/**
 * Calls `report` with the unread total whenever the view fetches the conversations or opens one
 * (which marks it read). Returns the function to call at sign-out (the count goes back to 0).
 */
export function trackUnread(api: PatientApi, report: (count: number) => void): () => void {
  const unread = new Map<string, number>();
  const send = () => report([...unread.values()].reduce((a, b) => a + b, 0));
  const threads = api.threads.bind(api);
  api.threads = async () => {
    const list = await threads();
    unread.clear();
    for (const t of list) unread.set(t.id, t.unread);
    send();
    return list;
  };
  const thread = api.thread.bind(api);
  api.thread = async (id) => {
    const detail = await thread(id);
    unread.set(id, 0);
    send();
    return detail;
  };
  return () => {
    unread.clear();
    send();
  };
}
