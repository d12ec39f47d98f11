package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The two log formats: a text line, and one JSON object per line with zap's field names. */
class LogSetupTest {

    private final LoggerContext context = new LoggerContext();

    LogSetupTest() {
        context.setMDCAdapter(new LogbackMDCAdapter());
    }

    private LoggingEvent event(String message, Throwable thrown, Object... arguments) {
        LoggingEvent event = new LoggingEvent("test", context.getLogger("io.cairn.server.RaftNode"), Level.WARN, message,
                thrown, arguments);
        event.setTimeStamp(1_795_000_000_123L);
        return event;
    }

    @Test
    void jsonIsOneObjectPerLineWithEscapedStringsAndTheRecordsPairs() {
        LoggingEvent event = event("peer {} said \"no\"\n\tthen left", null, "m2");
        event.addKeyValuePair(new KeyValuePair("member", "m2"));
        event.addKeyValuePair(new KeyValuePair("term", 7L));
        String line = new LogSetup.JsonLayout().doLayout(event);
        assertEquals("{\"level\":\"warn\",\"ts\":\"2026-11-18T11:06:40.123Z\",\"logger\":\"io.cairn.server.RaftNode\","
                + "\"msg\":\"peer m2 said \\\"no\\\"\\n\\tthen left\",\"member\":\"m2\",\"term\":7}" + System.lineSeparator(),
                line);
    }

    @Test
    void jsonCarriesTheErrorAndItsStackTraceInFields() {
        String line = new LogSetup.JsonLayout().doLayout(event("failed", new IllegalStateException("bad \u0001 state")));
        assertTrue(line.contains(",\"error\":\"java.lang.IllegalStateException: bad \\u0001 state\",\"stacktrace\":\""),
                line);
        assertEquals(1, line.lines().count(), "the stack trace stays on the record's line: " + line);
    }

    @Test
    void textIsTimeLevelShortLoggerMessageAndPairs() {
        LoggingEvent event = event("stream to {} failed", null, "m3");
        event.addKeyValuePair(new KeyValuePair("attempt", 2));
        assertEquals("2026-11-18T11:06:40.123Z WARN  RaftNode: stream to m3 failed attempt=2" + System.lineSeparator(),
                new LogSetup.TextLayout().doLayout(event));
        List<String> withTrace = new LogSetup.TextLayout().doLayout(event("boom", new RuntimeException("x"))).lines().toList();
        assertEquals("2026-11-18T11:06:40.123Z WARN  RaftNode: boom", withTrace.get(0));
        assertTrue(withTrace.get(1).startsWith("java.lang.RuntimeException: x"), withTrace.toString());
    }
}
