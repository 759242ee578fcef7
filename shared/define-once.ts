/** Defines a custom element unless that tag already exists (a page may load our script twice). */
export function defineOnce(tag: string, element: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, element);
}
