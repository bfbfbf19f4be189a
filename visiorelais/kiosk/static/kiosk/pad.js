/**
 * A big number pad (0–9 and a correction key) that fills a digit string, for the check-in code and the
 * phone number. The keys are built in `container` ([data-pad]); the caller shows the digits its own way.
 */

import { t } from "./format.js";

const LAYOUT = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "correct", "0"];

export class NumberPad {
  /**
   * @param {HTMLElement} container the element that receives the keys
   * @param {{prefix: string, maxLength: number, onChange: (digits: string) => void}} options
   */
  constructor(container, { prefix, maxLength, onChange }) {
    this.digits = "";
    this.maxLength = maxLength;
    this.onChange = onChange;
    container.replaceChildren(
      ...LAYOUT.map((key) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = key === "correct" ? "pad-key pad-correct" : "pad-key";
        button.dataset.testid = key === "correct" ? `${prefix}-correct` : `${prefix}-key-${key}`;
        if (key === "correct") {
          button.textContent = t("pad.correct");
          button.setAttribute("aria-label", t("pad.correct_label"));
        } else {
          button.textContent = key;
        }
        button.addEventListener("click", () => (key === "correct" ? this.correct() : this.type(key)));
        return button;
      }),
    );
  }

  type(digit) {
    if (this.digits.length >= this.maxLength) return;
    this.set(this.digits + digit);
  }

  correct() {
    this.set(this.digits.slice(0, -1));
  }

  set(digits) {
    this.digits = digits.replace(/\D/g, "").slice(0, this.maxLength);
    this.onChange(this.digits);
  }
}

/** "0612345678" → "06 12 34 56 78" (French numbers are read by pairs). */
export function groupPhone(digits) {
  return (digits.match(/.{1,2}/g) || []).join(" ");
}

/** "234" → "2 3 4 _ _ _" for a 6-digit code: typed digits, then what is left to type. */
export function codeSlots(digits, length) {
  return Array.from({ length }, (_, i) => digits[i] || "_").join(" ");
}
