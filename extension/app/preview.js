// preview.js — the confirmation dialog every bulk write goes through: what will change,
// per product, before anything is sent. Only "Apply" starts the job.
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

/** Shows `preview` ({previewId, plan, label}); `endAt` rides along to the job start. */
export function showPreview(preview, { endAt = null } = {}) {
  const { plan } = preview;
  pending = { previewId: preview.previewId, endAt };
  const s = plan.summary;
  const runnable = s.create + s.delete + s.replace + (s.update ?? 0) + (s.verified ?? 0);
  $('preview-title').textContent = preview.label;
  $('preview-summary').textContent = [
    count(s.create, 'to create'),
    count(s.replace, 'to replace'),
    count(s.update ?? 0, 'to update'),
    count(s.delete, 'to remove'),
    count(s.skip, 'skipped'),
    count(s.conflict, 'in conflict'),
  ]
    .filter(Boolean)
    .join(' · ') || 'Nothing to change.';
  const notes = [...plan.notes];
  for (const t of plan.totals ?? []) {
    notes.push(`${t.currency.toUpperCase()}: ${t.products} products, ${t.formattedBefore} → ${t.formattedAfter} in total.`);
  }
  if (endAt) notes.push(`Bulkroad removes these codes at ${new Date(endAt).toLocaleString()}.`);
  $('preview-notes').replaceChildren(...notes.map((n) => element('li', {}, n)));
  $('preview-table').tBodies[0].replaceChildren(
    ...plan.steps.map((step) =>
      element('tr', { 'data-action': step.action.type }, [
        element('td', {}, step.productName),
        element('td', {}, describeAction(step.action)),
        element('td', { class: 'num' }, step.formattedPrice ?? ''),
        element('td', { class: 'num' }, step.formattedPriceAfter ?? ''),
      ]),
    ),
  );
  const confirm = $('preview-confirm');
  confirm.textContent = runnable ? `Apply ${runnable} ${runnable === 1 ? 'change' : 'changes'}` : 'Nothing to apply';
  confirm.disabled = runnable === 0;
  $('preview').showModal();
}

function close() {
  if ($('preview').open) $('preview').close();
}

function count(n, words) {
  return n ? `${n} ${words}` : '';
}

export function describeAction(action) {
  switch (action.type) {
    case 'create':
      return `Create ${action.code.name}`;
    case 'delete':
      return `Remove ${action.offerCode.name}`;
    case 'replace':
      return `Replace ${action.existing.name} (its use count restarts)`;
    case 'update':
      return `Update ${action.before?.name ?? ''}`.trim();
    case 'verified':
      return `Already applied: ${action.offerCode.name}`;
    case 'updatePrice':
      return action.note ? `Change the price. ${action.note}` : 'Change the price';
    case 'verifiedPrice':
      return 'Already at the new price';
    case 'skip':
      return `Skip: ${action.reason}`;
    case 'conflict':
      return `Conflict: ${action.reason}`;
    default:
      return action.type;
  }
}
