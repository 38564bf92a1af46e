// SPDX-License-Identifier: AGPL-3.0-only
// Small DOM helpers. Text always goes in as text (never as HTML): records and API answers may hold anything.

/** Creates an element with attributes (`on…` functions become listeners) and children (strings become text). */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A definition list of [term, value] pairs (pairs whose value is null are left out). */
export function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.filter(([, value]) => value !== null && value !== undefined).flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

/** A status line's text (announced to screen readers by its role="status"). */
export function say(id, text, isError = false) {
  const target = document.getElementById(id);
  target.textContent = text;
  target.classList.toggle('error', isError);
}
