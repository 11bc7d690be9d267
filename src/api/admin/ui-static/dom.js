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

/**
 * A read-only value with a Copy button (URLs to paste elsewhere, a secret shown once). A text area
 * that wraps and grows with its value, so a long URL or token is shown whole, never cut off.
 */
export function copyable(label, value, name) {
  const input = h('textarea', { readonly: true, name, class: 'mono copy-value', rows: 1, spellcheck: 'false' }, value);
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

/**
 * Asks before going on, in a modal `<dialog>` of the page (not window.confirm): resolves true for
 * `confirmLabel`, false for `cancelLabel` or Escape. `lines` are shown as a list under the message,
 * then `note`.
 */
export function confirmDialog({ title, message, lines = [], note, confirmLabel, cancelLabel }) {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', value: 'cancel' }, cancelLabel);
    const confirm = h('button', { type: 'button', value: 'confirm', class: 'primary' }, confirmLabel);
    const heading = h('h2', { id: 'confirm-dialog-title' }, title);
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-dialog-title' },
      heading,
      h('p', {}, message),
      lines.length ? h('ul', { class: 'confirm-lines' }, lines.map((line) => h('li', {}, line))) : null,
      note ? h('p', { class: 'hint' }, note) : null,
      h('div', { class: 'actions' }, cancel, confirm));
    let answer = false;
    const close = (value) => {
      answer = value;
      dialog.close();
    };
    cancel.addEventListener('click', () => close(false));
    confirm.addEventListener('click', () => close(true));
    // Escape closes it too (a 'cancel' then a 'close' event): that is a no.
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
