// preview.js — the confirmation dialog every bulk write goes through: what will change,
// per product, before anything is sent. Only "Apply" starts the job. Every word of the
// plan (title, summary, notes, what each step does, the button) comes from the core.
import { MSG, request } from '../messages.js';
import { $, element } from './dom.js';
import { showError } from './feedback.js';

let pending = null;

export function initPreview({ onStarted }) {
  $('preview-cancel').addEventListener('click', () => close());
  $('preview').addEventListener('close', () => {
    pending = null;
  });
  $('preview-confirm').addEventListener('click', async () => {
    if (!pending) return;
    const { previewId, endAt } = pending;
    $('preview-confirm').disabled = true;
    try {
      const { jobId } = await request(MSG.JOBS_START, { previewId, endAt });
      close();
      onStarted(jobId);
    } catch (error) {
      close();
      showError(error);
    } finally {
      $('preview-confirm').disabled = false;
    }
  });
}

/** Shows `preview` ({previewId, plan}); `endAt` rides along to the job start. */
export function showPreview(preview, { endAt = null } = {}) {
  const { plan } = preview;
  pending = { previewId: preview.previewId, endAt };
  $('preview-title').textContent = plan.title;
  $('preview-summary').textContent = plan.summaryText;
  const notes = [...plan.notes, ...(plan.totals ?? []).map((t) => t.description)];
  if (endAt) notes.push(`Bulkroad removes these codes at ${new Date(endAt).toLocaleString()}.`);
  $('preview-notes').replaceChildren(...notes.map((n) => element('li', {}, n)));
  $('preview-table').tBodies[0].replaceChildren(
    ...plan.steps.flatMap((step) => [
      element('tr', { 'data-action': step.action.type }, [
        element('td', {}, step.productName),
        element('td', {}, [
          step.description,
          step.link ? ' ' : null,
          step.link ? element('a', { href: step.link, target: '_blank', rel: 'noopener noreferrer' }, step.link) : null,
        ]),
        element('td', { class: 'num' }, step.formattedPrice ?? ''),
        element('td', { class: 'num' }, step.formattedPriceAfter ?? ''),
      ]),
      step.changes?.length ? changesRow(step.changes) : null,
    ].filter(Boolean)),
  );
  const confirm = $('preview-confirm');
  confirm.textContent = plan.confirmLabel;
  confirm.disabled = plan.runnable === 0;
  $('preview').showModal();
}

/** A listing step's fields, before → after; a text with a word diff shows it marked. */
function changesRow(changes) {
  return element('tr', { class: 'changes' }, element('td', { colspan: '4' },
    element('ul', { class: 'changes-list' }, changes.map((change) =>
      element('li', { 'data-field': change.field }, [
        element('span', { class: 'field' }, `${change.label}: `),
        change.diff?.length
          ? element('span', { class: 'diff' }, change.diff.flatMap((part, at) => [
              at > 0 ? ' ' : null,
              part.kind === 'added' ? element('ins', {}, part.text) : part.kind === 'removed' ? element('del', {}, part.text) : part.text,
            ]))
          : element('span', {}, [element('del', {}, change.before), ' → ', element('ins', {}, change.after)]),
      ]),
    )),
  ));
}

function close() {
  if ($('preview').open) $('preview').close();
}
