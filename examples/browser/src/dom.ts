// What the demo pages share about the DOM.

/** The element matching `selector`; throws when the page lacks it (a broken page fails loudly). */
export const $ = <T extends Element = HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`missing element ${selector}`);
  return found;
};
