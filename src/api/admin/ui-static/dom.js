/**
 * A small element builder: every value becomes a text node or a property, never HTML, so data from
 * Lever or CodeSignal cannot inject markup.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled form row; `hint` explains the field under it. */
export const field = (label, control, hint) =>
  h('label', { class: 'field' }, h('span', { class: 'label' }, label), control, hint ? h('small', { class: 'hint' }, hint) : null);

/** A titled group of several controls (a label may name only one). */
export const group = (title, control, hint) =>
  h('div', { class: 'field', role: 'group', 'aria-label': title }, h('span', { class: 'label' }, title), control, hint ? h('small', { class: 'hint' }, hint) : null);

/** A read-only value with a Copy button (URLs to paste elsewhere, a secret shown once). */
export function copyable(label, value, name) {
  const input = h('input', { readonly: true, value, name, class: 'mono' });
  const copied = h('span', { class: 'hint', 'aria-live': 'polite' });
  return field(label, h('div', { class: 'inline' }, input, h('button', { type: 'button', onclick: async () => {
    input.select();
    await navigator.clipboard?.writeText(value).catch(() => undefined);
    copied.textContent = 'copied';
  } }, 'Copy'), copied));
}

/** A status line that a page updates after an action: 'ok', 'error' or 'busy'. */
export function statusLine() {
  const el = h('p', { class: 'status', role: 'status' });
  el.show = (kind, text) => {
    el.className = `status ${kind}`;
    el.textContent = text;
  };
  return el;
}

export const formatTime = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
