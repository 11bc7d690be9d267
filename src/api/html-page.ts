/** The service's few server-rendered pages (the links it puts on Lever opportunities): escaping and one layout, no script. */

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A whole page: `title` is escaped, `body` is HTML the caller escaped; `style` adds rules of the page's own. */
export const htmlPage = (title: string, body: string, style = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1f2937; }
  h1 { font-size: 1.4rem; } label { display: block; padding: .6rem .8rem; border: 1px solid #d1d5db; border-radius: .5rem; margin: .5rem 0; cursor: pointer; }
  label:hover { border-color: #2563eb; } .muted { color: #6b7280; font-size: .9rem; }
  button { margin-top: 1rem; padding: .6rem 1.2rem; border: 0; border-radius: .5rem; background: #2563eb; color: white; font-size: 1rem; cursor: pointer; }
${style}</style></head><body>${body}</body></html>`;

/** A page that says one thing: a heading and a sentence, both escaped. */
export const renderMessagePage = (title: string, message: string) => htmlPage(title, `<main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main>`);
