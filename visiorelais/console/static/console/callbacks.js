/**
 * The partner's callback requests on the console (docs/scheduling.md): a count that links to /rappels/, from the
 * snapshot's `callbacks` and the live `callbacks` frames ({"pending", "open"}). The words are in the panel's
 * data attributes (console/_callbacks.html).
 */

export function renderCallbacks(counts) {
  const panel = document.querySelector('[data-role="callbacks"]');
  if (!panel || !counts) return;
  const pending = Number(counts.pending) || 0;
  const open = Number(counts.open) || 0;
  const words = panel.dataset;
  const text = pending === 0 ? words.none : pending === 1 ? words.one : words.many.replace("{n}", String(pending));
  const count = panel.querySelector('[data-role="callbacks-count"]');
  count.textContent = text;
  count.dataset.pending = String(pending);
  count.dataset.open = String(open);
  panel.classList.toggle("has-callbacks", pending > 0);
}
