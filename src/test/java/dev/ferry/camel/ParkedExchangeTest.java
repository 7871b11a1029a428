package dev.ferry.camel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** An exchange the stop parked stays parked, without using the CPU, after Camel's forced stop interrupts it. */
class ParkedExchangeTest {

    @Test
    void anInterruptedParkedExchangeDoesNotSpin() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isCurrentThreadCpuTimeSupported());
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(camel);
            Thread parked = new Thread(() -> FerryProducer.parkUntilExit(exchange, new Exception("stopping")),
                    "parked-exchange");
            parked.setDaemon(true);
            parked.start();
            Await.until(Duration.ofSeconds(5), () -> parked.getState() == Thread.State.WAITING,
                    () -> "never parked: " + parked.getState());
            parked.interrupt();
            Thread.sleep(100);
            long before = mx.getThreadCpuTime(parked.getId());
            Thread.sleep(1000);
            long used = mx.getThreadCpuTime(parked.getId()) - before;
            assertTrue(parked.isAlive(), "the exchange stays parked: completing it would move its file");
            assertTrue(used < 100_000_000L, "the parked thread used " + used / 1_000_000 + " ms of CPU in 1 s");
            assertTrue(parked.getState() == Thread.State.WAITING, parked.getState().toString());
        }
    }
}
