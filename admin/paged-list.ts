/**
 * A list read a page at a time with the server's keyset cursor ("Show more"). Shared by the admin's
 * long lists so each keeps the same behaviour: the first page replaces the list, the next page is
 * appended, and keyboard focus moves to the first new row so the reader continues where it begins.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface ListPage<T> {
  items: T[];
  /** Where the next page starts; null when the list is complete. */
  nextCursor: string | null;
}

export class PagedList<T> implements ReactiveController {
  /** The rows read so far; null until the first page arrives. */
  items: T[] | null = null;
  nextCursor: string | null = null;

  /**
   * @param fetchPage reads one page (the first when `cursor` is undefined)
   * @param firstFocusable in the host's shadow root, the focusable element of each row (e.g. `tbody tr > td:first-child button`)
   */
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly fetchPage: (cursor?: string) => Promise<ListPage<T>>,
    private readonly firstFocusable: string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Reads the first page again (a new filter, a change). */
  async reload(): Promise<void> {
    const page = await this.fetchPage();
    this.items = page.items;
    this.nextCursor = page.nextCursor;
    this.host.requestUpdate();
  }

  /** Appends the next page, if any, and focuses its first row. */
  async more(): Promise<void> {
    const cursor = this.nextCursor;
    if (!cursor) return;
    const page = await this.fetchPage(cursor);
    const first = this.items?.length ?? 0;
    this.items = [...(this.items ?? []), ...page.items];
    this.nextCursor = page.nextCursor;
    this.host.requestUpdate();
    await this.host.updateComplete;
    this.host.shadowRoot?.querySelectorAll<HTMLElement>(this.firstFocusable)[first]?.focus();
  }

  /** Replaces one row (after an edit) or puts a new one first. */
  upsert(item: T, same: (a: T, b: T) => boolean): void {
    this.items = [item, ...(this.items ?? []).filter((x) => !same(x, item))];
    this.host.requestUpdate();
  }
}
