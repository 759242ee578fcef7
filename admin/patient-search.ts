/**
 * Patient search as a staff member types, written once for "Message a patient" and the calendar's
 * "Book for a patient": it asks after a short pause once two characters are in, and keeps only the
 * newest answer (a slow early answer never replaces a later one).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Patient } from '../shared/api.js';

const SEARCH_DELAY_MS = 250;

export class PatientSearch implements ReactiveController {
  /** What is in the search box. */
  query = '';
  /** The newest search's patients; null while fewer than two characters are typed or before it answers. */
  results: Patient[] | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #asked = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly find: (q: string) => Promise<Patient[]>,
    private readonly onError: (err: unknown) => void,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
  }

  /** The box now holds `value`. */
  input(value: string): void {
    this.query = value;
    clearTimeout(this.#timer);
    const q = value.trim();
    if (q.length < 2) {
      this.#asked++;
      this.results = null;
    } else {
      this.#timer = setTimeout(() => void this.#search(q), SEARCH_DELAY_MS);
    }
    this.host.requestUpdate();
  }

  /** Empties the box and forgets the results (a patient was chosen, or the form starts again). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#asked++;
    this.query = '';
    this.results = null;
    this.host.requestUpdate();
  }

  async #search(q: string): Promise<void> {
    const mine = ++this.#asked;
    try {
      const found = await this.find(q);
      if (mine !== this.#asked) return;
      this.results = found;
      this.host.requestUpdate();
    } catch (err) {
      if (mine === this.#asked) this.onError(err);
    }
  }
}
