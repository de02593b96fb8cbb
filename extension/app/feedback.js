// feedback.js — the one alert box, and the seller-facing words for each error kind (the
// worker's message carries the detail; pages branch on `kind`, never on message text).
import { $, element } from './dom.js';

export function describe(error, during) {
  switch (error.kind) {
    case 'InvalidInput':
    case 'Rejected':
      return error.message;
    case 'Unauthorized':
      return during === 'connect'
        ? `Gumroad did not accept this token, so it was not saved. ${error.message}`
        : `Gumroad no longer accepts the saved token, so it was forgotten. Paste a new one. ${error.message}`;
    case 'Forbidden':
      return during === 'connect'
        ? `This token lacks a permission (scope) Bulkroad needs, so it was not saved. ${error.message}`
        : `This token lacks a permission (scope) this needs. ${error.message}`;
    case 'Network':
      return during === 'connect'
        ? 'Could not reach Gumroad to check the token, so nothing was saved. Check your connection and try again.'
        : 'Could not reach Gumroad. Check your connection and try again.';
    case 'RateLimited':
      return 'Gumroad asked us to slow down. Wait a minute and try again.';
    default:
      return error.message;
  }
}

export function showError(error, during) {
  const box = $('error');
  box.textContent = typeof error === 'string' ? error : describe(error, during);
  box.hidden = false;
}

export function hideError() {
  $('error').hidden = true;
}

/** A button that runs `work`, disabled meanwhile; a failure shows in the alert box.
 * `description` (a title) says which job or file the button acts on. */
export function actionButton(label, work, kind = null, description = null) {
  return element('button', {
    type: 'button',
    class: kind,
    title: description,
    onclick: async (event) => {
      event.target.disabled = true;
      try {
        await work();
      } catch (error) {
        showError(error);
      } finally {
        event.target.disabled = false;
      }
    },
  }, label);
}
