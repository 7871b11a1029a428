/**
 * Requests from RabbitMQ, wired only when {@code ferry.broker.*} is set; otherwise nothing about JMS starts and the
 * request queue ({@code ferry.queue.requests}) stays {@code seda:ferry-requests}.
 *
 * <ul>
 *   <li>{@link BrokerSettings}: the {@code ferry.broker.*} keys; the password only from the environment or
 *       {@code secrets.properties}.</li>
 *   <li>{@link BrokerComponent}: the {@code jms} component on RabbitMQ's JMS client. Consumers use local JMS
 *       transactions, so a message is acknowledged when the queue route completes, i.e. after {@code ferry:accept}
 *       has recorded the request in the ledger.</li>
 *   <li>{@link PipelineRoom}: the queue route takes the next message only while fewer than
 *       {@code ferry.broker.prefetch} (default: {@code ferry.transfer-consumers}) queued transfers run or wait here, so the rest stay in the broker for idle
 *       nodes. Transfers waiting aside for an unreachable server are not counted: they hold nothing.</li>
 * </ul>
 */
package dev.ferry.broker;
