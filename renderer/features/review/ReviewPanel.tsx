// The review control of the open series: its status (To do / In progress / Done / Second look, the current one
// highlighted), who set it and when, and "Next to do", which opens the next series to do in worklist order.
import { SERIES_STATUSES, type SeriesSummary } from '../../../common/contract.js';
import { keyHint } from '../../commands.js';
import type { Review, ReviewCommandId } from './useReview.js';
import { STATUS_LABELS, STATUS_MEANING, statusByLine } from './reviewStatus.js';

const COMMAND_OF = {
  todo: 'review-todo',
  in_progress: 'review-in-progress',
  done: 'review-done',
  second_look: 'review-second-look',
} as const satisfies Record<SeriesSummary['status'], ReviewCommandId>;

export function ReviewPanel({ summary, review }: { summary: SeriesSummary | undefined; review: Review }) {
  const by = summary ? statusByLine(summary) : '';
  return (
    <div className="review" data-testid="review" data-prefetched={review.prefetched ?? ''}>
      <div className="panel-title">Review</div>
      <div className="review-status" role="radiogroup" aria-label="Review status of the open series">
        {SERIES_STATUSES.map((st) => (
          <button
            key={st}
            role="radio"
            aria-checked={summary?.status === st}
            className={summary?.status === st ? 'on' : ''}
            data-status={st}
            title={`${STATUS_LABELS[st]}: ${STATUS_MEANING[st]}${keyHint(COMMAND_OF[st])}`}
            onClick={() => review.setStatus(st)}
            disabled={!summary}
          >
            {STATUS_LABELS[st]}
          </button>
        ))}
      </div>
      <div className="review-foot">
        <span className="muted small review-by" data-testid="review-by">{by || 'status not set yet'}</span>
        <button className="review-next" data-testid="review-next" title={`Save, then open the next series to do in the worklist${keyHint('review-next')}${review.prefetched ? ` (${review.prefetched} is loaded already)` : ''}`} onClick={review.next}>
          Next to do ▸
        </button>
      </div>
      {review.note && (
        <div className="review-note small" role="status" data-testid="review-note">
          {review.note}
        </div>
      )}
    </div>
  );
}
