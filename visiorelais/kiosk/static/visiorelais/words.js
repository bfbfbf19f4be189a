/**
 * The screens' words: every sentence comes from the page, translated by Django, in a <template> of [data-key]
 * elements, with {name} placeholders. Shared by the kiosk (kiosk/format.js, kiosk/documents.js) and the console
 * (console.js, console/documents.js).
 *
 *   import { fillIn, readWords } from "../visiorelais/words.js";
 *   const words = readWords(document.getElementById("kiosk-document-strings"));  // key → sentence
 *   fillIn(words["pages.many"], { n: 3 });                                       // "{n} pages" → "3 pages"
 */

/** key → sentence, from a <template> of [data-key] elements ({} without one). */
export function readWords(template) {
  if (!template) return {};
  return Object.fromEntries(
    Array.from(template.content.querySelectorAll("[data-key]")).map((node) => [node.dataset.key, node.textContent.trim()]),
  );
}

/** `text` with each {name} replaced by `params[name]`; a placeholder without a value stays as it is. */
export function fillIn(text, params = {}) {
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}
