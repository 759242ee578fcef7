/**
 * Dragging things with the pointer (mouse, pen or touch, through Pointer Events), written once as a
 * controller: the host names what can be dragged and turns a pointer position into a drop target;
 * the controller follows the pointer, starts only past a small threshold (so a click stays a click),
 * swallows the click that ends a real drag, and cancels on Escape or when the browser takes the
 * pointer back (pointercancel). It keeps no DOM of its own: the host renders from `drag`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Pixels the pointer must travel before a press becomes a drag. */
export const DRAG_THRESHOLD_PX = 6;

/** A drag in progress: the element, how far the pointer moved, and where it would land now. */
export interface DragState<T> {
  element: HTMLElement;
  dx: number;
  dy: number;
  target: T | null;
}

export interface PointerDragOptions<T> {
  /** The CSS selector of what can be dragged (inside the host's shadow root). */
  selector: string;
  /** Where a drop at this viewport point would land, or null (nowhere). */
  target(x: number, y: number, element: HTMLElement): T | null;
  /** The element was dropped on a target. */
  drop(element: HTMLElement, target: T): void;
  /** The drag ended without a drop (Escape, pointercancel, released outside every target). */
  cancel?(element: HTMLElement, why: 'escape' | 'nowhere'): void;
}

export class PointerDrag<T> implements ReactiveController {
  /** The drag in progress, or null. */
  drag: DragState<T> | null = null;
  #press: { element: HTMLElement; pointerId: number; x: number; y: number } | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: PointerDragOptions<T>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('pointerdown', this.#down);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('pointerdown', this.#down);
    this.#end();
  }

  #down = (e: PointerEvent) => {
    if (this.#press || !e.isPrimary || (e.pointerType === 'mouse' && e.button !== 0)) return;
    const element = e.composedPath().find((n): n is HTMLElement => n instanceof HTMLElement && n.matches(this.options.selector));
    if (!element) return;
    this.#press = { element, pointerId: e.pointerId, x: e.clientX, y: e.clientY };
    window.addEventListener('pointermove', this.#move);
    window.addEventListener('pointerup', this.#up);
    window.addEventListener('pointercancel', this.#cancelled);
  };

  #move = (e: PointerEvent) => {
    const press = this.#press;
    if (!press || e.pointerId !== press.pointerId) return;
    const dx = e.clientX - press.x;
    const dy = e.clientY - press.y;
    if (!this.drag) {
      if (Math.hypot(dx, dy) < DRAG_THRESHOLD_PX) return;
      window.addEventListener('keydown', this.#key, true);
    }
    // No text selection or scrolling while dragging.
    e.preventDefault();
    this.drag = { element: press.element, dx, dy, target: this.options.target(e.clientX, e.clientY, press.element) };
    this.host.requestUpdate();
  };

  #up = (e: PointerEvent) => {
    const press = this.#press;
    if (!press || e.pointerId !== press.pointerId) return;
    const drag = this.drag;
    this.#end();
    if (!drag) return; // a click: the browser's click event follows and does what it does
    this.#swallowClick();
    const target = this.options.target(e.clientX, e.clientY, drag.element);
    if (target) this.options.drop(drag.element, target);
    else this.options.cancel?.(drag.element, 'nowhere');
  };

  #cancelled = (e: PointerEvent) => {
    const drag = this.drag;
    if (!this.#press || e.pointerId !== this.#press.pointerId) return;
    this.#end();
    if (drag) this.options.cancel?.(drag.element, 'nowhere');
  };

  #key = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !this.drag) return;
    // Escape ends the drag only: no dialog or page handler sees it.
    e.preventDefault();
    e.stopPropagation();
    const element = this.drag.element;
    this.#end();
    this.options.cancel?.(element, 'escape');
  };

  /** The click that ends a drag is not a click on what was dragged. */
  #swallowClick() {
    const swallow = (e: Event) => {
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener('click', swallow, { capture: true, once: true });
    setTimeout(() => window.removeEventListener('click', swallow, { capture: true }), 0);
  }

  #end() {
    window.removeEventListener('pointermove', this.#move);
    window.removeEventListener('pointerup', this.#up);
    window.removeEventListener('pointercancel', this.#cancelled);
    window.removeEventListener('keydown', this.#key, true);
    const wasDragging = this.drag !== null;
    this.#press = null;
    this.drag = null;
    if (wasDragging) this.host.requestUpdate();
  }
}
