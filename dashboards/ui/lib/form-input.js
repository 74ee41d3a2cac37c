/**
 * An input or select handler that passes the control's value to `set`.
 * @param {(value: string) => void} set
 */
export function onValue(set) {
  return (/** @type {Event} */ event) =>
    set(/** @type {HTMLInputElement | HTMLSelectElement} */ (event.currentTarget).value);
}
