// jobs-view.js — the running job's progress (followed through storage changes, so it
// keeps up whether or not this page started it), interrupted jobs, the removal an end
// time is running, and the job history with reports, undo, retry and end times.
import { MSG, currentAccount, request } from '../messages.js';
import * as storage from '../storage.js';
import { $, download, element } from './dom.js';
import { actionButton } from './feedback.js';
import { showPreview } from './preview.js';

export function initJobs({ selectTab }) {
  // Only the shown account's jobs; work of other accounts that waits shows as a notice.
  if (currentAccount()) {
    const store = storage.account(currentAccount());
    store.watch(storage.KEYS.CURRENT_JOB, (job) => {
      renderBanner(job);
      refreshPending();
    });
    store.watch(storage.KEYS.END_TIME_JOB, renderRemoval);
    store.watch(storage.KEYS.HISTORY, renderHistory);
  }
  refresh();

  async function refresh() {
    refreshPending();
    if (!currentAccount()) return;
    try {
      const { current, endTime, history } = await request(MSG.JOBS_LIST);
      renderBanner(current);
      renderRemoval(endTime);
      renderHistory(history);
    } catch {
      // Not connected yet: the banner and history fill in once a job exists.
    }
  }

  /** Jobs and exports of other accounts that run or wait for the seller: each named by its
   * store, resumable from here with its own account's token. */
  async function refreshPending() {
    let pending;
    try {
      pending = await request(MSG.JOBS_PENDING);
    } catch {
      return;
    }
    const others = (list) => list.filter((p) => p.accountId !== currentAccount());
    const items = [
      ...others(pending.jobs).map(({ accountId, accountName, job }) =>
        element('li', { 'data-account': accountId }, [
          `${accountName}: ${job.label} — ${job.status === 'running' ? 'running' : 'interrupted'}`,
          job.status === 'interrupted'
            ? actionButton('Resume', () => request(MSG.JOBS_RESUME, { accountId, jobId: job.id }).then(refreshPending), null, `Resume ${job.label} on ${accountName}`)
            : '',
        ]),
      ),
      ...others(pending.exports).map(({ accountId, accountName, export: file }) =>
        element('li', { 'data-account': accountId }, [
          `${accountName}: export ${file.filename} — ${file.status === 'interrupted' ? 'interrupted' : 'running'}`,
          file.status === 'interrupted'
            ? actionButton('Resume', () => request(MSG.EXPORT_RESUME, { accountId }).then(refreshPending), null, `Resume the export of ${accountName}`)
            : '',
        ]),
      ),
    ];
    $('other-accounts').hidden = items.length === 0;
    $('other-accounts-list').replaceChildren(...items);
  }

  function renderBanner(job) {
    const banner = $('job-banner');
    if (!job || !['running', 'interrupted'].includes(job.status)) {
      banner.hidden = true;
      banner.dataset.status = job?.status ?? '';
      banner.dataset.key = '';
      return;
    }
    banner.hidden = false;
    banner.dataset.status = job.status;
    const { done, total, etaText } = job.progress;
    const details = [];
    if (job.status === 'running') {
      if (job.current) details.push(` · ${job.current}`);
      if (etaText && done < total) details.push(` · ${etaText}`);
    } else {
      const next = job.error?.kind === 'Unauthorized' ? 'Connect again, then resume.' : 'Resume to finish it.';
      details.push(job.error ? ` · Interrupted: ${job.error.message} ${next}` : ' · Interrupted: Bulkroad was stopped before the job ended.');
    }
    // Progress comes many times a second: while the job and its status stay the same, only
    // the figures change, so the buttons stay put under the seller's pointer.
    const key = `${job.id}:${job.status}`;
    if (banner.dataset.key === key) {
      banner.querySelector('progress').value = done;
      banner.querySelector('.progress-text').textContent = `${done} of ${total}`;
      banner.querySelector('.progress-details').textContent = details.join('');
      return;
    }
    banner.dataset.key = key;
    const children = [
      element('strong', {}, job.label),
      element('progress', { max: total, value: done, 'aria-label': 'Job progress' }),
      element('span', { class: 'progress-text' }, `${done} of ${total}`),
      element('span', { class: 'muted progress-details' }, details.join('')),
    ];
    if (madeCodes(job)) children.push(codesButton(job));
    if (job.status === 'running') {
      children.push(actionButton('Cancel', () => request(MSG.JOBS_CANCEL, { jobId: job.id })));
    } else {
      children.push(actionButton('Resume', async () => {
        await request(MSG.JOBS_RESUME, { jobId: job.id });
        selectTab('tab-jobs');
      }, 'primary'));
      children.push(actionButton('Discard', () => request(MSG.JOBS_DISCARD, { jobId: job.id })));
    }
    banner.replaceChildren(...children);
  }

  /** The removal an end time runs: its progress while it runs, nothing to decide. */
  function renderRemoval(job) {
    const banner = $('end-time-banner');
    banner.hidden = job?.status !== 'running';
    banner.dataset.status = job?.status ?? '';
    if (banner.hidden) return;
    const { done, total } = job.progress;
    banner.replaceChildren(
      element('strong', {}, job.label),
      element('progress', { max: total, value: done, 'aria-label': 'End time progress' }),
      element('span', { class: 'progress-text' }, `${done} of ${total}`),
    );
  }

  function renderHistory(history = []) {
    $('jobs-empty').hidden = history.length > 0;
    $('job-list').replaceChildren(
      ...history.map((entry) => {
        const buttons = [actionButton('Report', () => showReport(entry), null, `Report of ${entry.label}`)];
        if (madeCodes(entry)) buttons.push(codesButton(entry));
        if (entry.canUndo) {
          buttons.push(actionButton('Undo', async () => showPreview(await request(MSG.JOBS_PREVIEW_UNDO, { jobId: entry.id })), null, `Undo ${entry.label}`));
        }
        if (entry.canRetry) {
          buttons.push(actionButton('Retry failed', async () => showPreview(await request(MSG.JOBS_PREVIEW_RETRY, { jobId: entry.id })), null, `Retry the failed steps of ${entry.label}`));
        }
        if (entry.endAt) {
          buttons.push(actionButton('Cancel end time', () => request(MSG.JOBS_CANCEL_END_TIME, { jobId: entry.id }), null, `Cancel the end time of ${entry.label}`));
        }
        return element('li', { 'data-job-id': entry.id, 'data-status': entry.status }, [
          element('div', {}, [element('strong', {}, entry.label), element('span', { class: `badge ${entry.status}` }, entry.status)]),
          element('div', { class: 'muted small' }, [
            `${new Date(entry.createdAt).toLocaleString()} · ${entry.countsText}`,
            entry.endAt ? ` · codes removed at ${new Date(entry.endAt).toLocaleString()}` : '',
            entry.error ? ` · ${entry.error.message}` : '',
            entry.endError ? ` · The codes could not be removed yet (${entry.endError}); Bulkroad tries again.` : '',
          ]),
          element('div', { class: 'row' }, buttons),
        ]);
      }),
    );
  }

  // A batch of unique codes: the codes it made so far, as CSV, while it runs and after.
  function madeCodes(job) {
    return job.operation === 'createCodes';
  }

  function codesButton(job) {
    return actionButton('Download codes', async () => {
      const { csv } = await request(MSG.JOBS_BATCH_CODES, { jobId: job.id });
      download(`bulkroad-codes-${new Date().toISOString().slice(0, 10)}-${job.id.slice(0, 8)}.csv`, csv);
    }, null, `Download the codes of ${job.label}`);
  }

  async function showReport(entry) {
    $('report').hidden = true;
    const report = await request(MSG.JOBS_REPORT, { jobId: entry.id });
    $('report').hidden = false;
    $('report-title').textContent = `Report: ${entry.label}`;
    $('report-summary').textContent = report.summaryText;
    $('report-table').tBodies[0].replaceChildren(
      ...report.rows.map((row) =>
        element('tr', { 'data-outcome': row.outcome.status }, [
          element('td', {}, row.productName),
          element('td', {}, row.description),
          element('td', {}, [element('span', { class: `badge ${row.outcome.status}` }, row.outcome.status), ' ', row.outcome.message]),
        ]),
      ),
    );
    selectTab('tab-jobs');
  }

}
