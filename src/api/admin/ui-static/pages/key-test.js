import { api, describeError } from '../api.js';
import { h, replace } from '../dom.js';

/**
 * A TEST button for an API key: tests what is typed in `input`, or the stored key when it is empty
 * (`storedPath`), and shows whether the key works and which permissions it lacks.
 */
export function keyTest({ service, input, newKeyPath, storedPath }) {
  const result = h('div', { class: 'key-test', 'data-service': service });
  const button = h('button', { type: 'button', onclick: run }, 'TEST');
  /** The last TEST's key and how it went: `{ key, passed, problem }`. */
  let last = null;

  async function run() {
    const apiKey = input.value.trim();
    if (!apiKey && !storedPath) {
      replace(result, h('p', { class: 'status error' }, 'Paste an API key first.'));
      return;
    }
    button.disabled = true;
    last = null;
    replace(result, h('p', { class: 'status busy' }, `Testing the key against ${service}…`));
    try {
      const outcome = apiKey ? await api('POST', newKeyPath, { apiKey }) : await api('POST', storedPath, {});
      last = { key: apiKey, passed: outcome.ok === true, problem: problemOf(outcome) };
      replace(result, describe(outcome));
    } catch (err) {
      last = { key: apiKey, passed: false, problem: `${service} API key: the TEST did not finish (${describeError(err)}).` };
      replace(result, h('p', { class: 'status error' }, describeError(err)));
    } finally {
      button.disabled = false;
    }
  }

  function problemOf(outcome) {
    if (outcome.ok) return null;
    if (!outcome.keyValid) return `${service} API key: not accepted by ${service}.`;
    return `${service} API key: lacks ${outcome.missing.length} permission(s) (${outcome.missing.join(', ')}).`;
  }

  /**
   * How the last TEST of the key now in the field went: 'passed', 'failed' (with `problem`), or
   * 'untested' (never tested, or the field changed since).
   */
  function verdict() {
    if (!last || last.key !== input.value.trim()) return { state: 'untested' };
    return last.passed ? { state: 'passed' } : { state: 'failed', problem: last.problem };
  }

  function describe(outcome) {
    if (!outcome.keyValid) return h('p', { class: 'status error' }, `✗ ${service} does not accept this key.`);
    const permissions = outcome.permissions ?? [];
    const company = outcome.company?.name ? ` (${outcome.company.name})` : '';
    const unknown = permissions.filter((p) => p.granted === null);
    // Unknown: the service could not tell (rate limited, an answer that proves nothing); a granted probe with a detail is a warning.
    const notes = [
      unknown.length === 0 ? null : h('p', { class: 'hint' }, `Could not be checked: ${unknown.map((p) => `${p.name}${p.detail ? ` (${p.detail})` : ''}`).join('; ')}.`),
      permissions.filter((p) => p.granted === true && p.detail).map((p) => h('p', { class: 'status error' }, `⚠ ${p.name}: ${p.detail}`)),
    ];
    if (outcome.ok) {
      const granted = permissions.length - unknown.length;
      return h('div', {}, h('p', { class: 'status ok' }, `✓ The key works${company} and holds all ${granted} permissions checked.`), notes);
    }
    return h('div', {},
      h('p', { class: 'status error' }, `✗ The key works${company} but lacks ${outcome.missing.length} permission(s):`),
      h('ul', { class: 'missing-permissions' }, outcome.missing.map((name) => {
        const p = permissions.find((x) => x.name === name);
        return h('li', {}, name, p?.scope ? h('code', {}, ` ${p.scope}`) : null);
      })),
      h('p', { class: 'hint' }, `Add them to the key in ${service}, then TEST again.`),
      notes,
    );
  }

  return { button, result, verdict };
}
