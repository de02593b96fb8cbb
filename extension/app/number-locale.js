// number-locale.js — the decimal and group separators of the seller's locale, sent with
// every form that has an amount. The core reads the amount with them and decides what is
// ambiguous; this module only reports what the browser's locale uses.
export function localeSeparators() {
  const parts = new Intl.NumberFormat(navigator.language).formatToParts(12345.6);
  const part = (type) => parts.find((p) => p.type === type)?.value ?? '';
  return { decimal: part('decimal'), group: part('group') };
}
