package dev.ferry.camel;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The split's aggregation: one {@link SegmentOutcome} per transfer, in the body of the aggregated exchange, holding
 * which segments moved, which were skipped as already done, and the first failure. A failed segment's exception is
 * taken off its exchange and kept in the outcome, so the split always completes and {@code ferry:publish} decides:
 * it publishes, or rethrows the failure for the route's error handling.
 */
public final class SegmentAggregation implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange != null ? oldExchange : newExchange;
        SegmentOutcome outcome = oldExchange != null
                ? oldExchange.getIn().getBody(SegmentOutcome.class) : new SegmentOutcome();
        record(outcome, newExchange);
        if (oldExchange == null) {
            result.setException(null);
            result.getIn().setBody(outcome);
        }
        return result;
    }

    private static void record(SegmentOutcome outcome, Exchange segment) {
        Object body = segment.getIn().getBody();
        SegmentTask task = body instanceof SegmentTask t ? t
                : segment.getProperty(FerryConstants.SEGMENT_TASK, SegmentTask.class);
        int index = task != null ? task.index() : -1;
        Throwable failure = segment.getException();
        if (failure != null) {
            outcome.failed(index, failure);
            segment.setException(null);
        } else if (segment.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class)) {
            outcome.skipped(index);
        } else {
            outcome.moved(index);
        }
    }
}
