/**
 * Live updates inside one server process: a new message is published per clinic, and the SSE
 * streams of that clinic's staff and of the thread's patient pass it on. Events name what changed,
 * never its content; clients fetch the content through the audited API.
 */
import { EventEmitter } from 'node:events';

/** Something changed in a thread. */
export interface ThreadEvent {
  type: 'message' | 'thread';
  threadId: string;
  patientId: string;
  /** Who caused it; a patient is told only about what is visible to them. */
  author: 'patient' | 'staff' | 'system';
  kind: 'message' | 'note' | 'status';
}

/** Publish/subscribe per clinic. One per server. */
export class EventHub {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0); // one listener per open stream
  }

  publish(clinicId: string, event: ThreadEvent): void {
    this.#emitter.emit(clinicId, event);
  }

  /** Calls `listener` for each event of the clinic; returns the unsubscribe function. */
  subscribe(clinicId: string, listener: (event: ThreadEvent) => void): () => void {
    this.#emitter.on(clinicId, listener);
    return () => this.#emitter.off(clinicId, listener);
  }
}
