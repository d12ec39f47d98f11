package io.cairn.distribution;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.slf4j.event.KeyValuePair;

/**
 * The server's logs: everything goes through SLF4J to logback, one record per line on stderr, as
 * text or JSON ({@code --log-format}) at {@code --log-level}. Cairn's modules log through
 * {@link System.Logger}, which slf4j-jdk-platform-logging (in lib/, found by service binding)
 * routes to SLF4J; grpc-java logs through java.util.logging, bridged here with jul-to-slf4j; Xodus
 * logs through SLF4J itself.
 *
 * <p>With {@code -Dlogback.configurationFile=...} (in {@code CAIRN_JAVA_OPTS}) logback's own
 * configuration is kept and only the bridge is installed.
 */
final class LogSetup {

    /** etcd's log levels (panic and fatal are error here). */
    enum Level {
        DEBUG(ch.qos.logback.classic.Level.DEBUG, java.util.logging.Level.FINE),
        INFO(ch.qos.logback.classic.Level.INFO, java.util.logging.Level.INFO),
        WARN(ch.qos.logback.classic.Level.WARN, java.util.logging.Level.WARNING),
        ERROR(ch.qos.logback.classic.Level.ERROR, java.util.logging.Level.SEVERE);

        final ch.qos.logback.classic.Level logback;
        final java.util.logging.Level jul;

        Level(ch.qos.logback.classic.Level logback, java.util.logging.Level jul) {
            this.logback = logback;
            this.jul = jul;
        }
    }

    enum Format { TEXT, JSON }

    record Settings(Level level, Format format) {
        static final Settings DEFAULT = new Settings(Level.INFO, Format.TEXT);

        Settings {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(format, "format");
        }
    }

    /**
     * Loggers that say little at INFO worth an operator's time: grpc's transport logs a stack trace
     * per connection that speaks something other than HTTP/2 (a port scan); Xodus describes its
     * files at every open; Undertow and XNIO announce their versions at every start and stop.
     */
    private static final List<String> QUIET_BELOW_WARN = List.of(
            "io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport", "jetbrains.exodus", "io.undertow", "org.xnio");

    /** java.util.logging keeps loggers weakly: hold the ones whose level is set here. */
    private static final java.util.List<java.util.logging.Logger> JUL_LEVELS = new java.util.ArrayList<>();

    private LogSetup() {}

    /** Sends every log record to stderr as {@code settings} say; may be called again to change them. */
    static synchronized void apply(Settings settings) {
        java.util.logging.Logger julRoot = java.util.logging.LogManager.getLogManager().getLogger("");
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        // java.util.logging filters before the bridge sees a record: open it as far as the level asks
        julRoot.setLevel(settings.level().jul);
        JUL_LEVELS.clear();
        for (String name : QUIET_BELOW_WARN) {
            java.util.logging.Logger quiet = java.util.logging.Logger.getLogger(name);
            quiet.setLevel(settings.level() == Level.DEBUG ? null : java.util.logging.Level.WARNING);
            JUL_LEVELS.add(quiet);
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)
                || System.getProperty("logback.configurationFile") != null) {
            return; // another SLF4J provider, or the operator's own logback configuration
        }
        configure(context, settings);
    }

    private static void configure(LoggerContext context, Settings settings) {
        context.reset();
        LayoutBase<ILoggingEvent> layout = settings.format() == Format.JSON ? new JsonLayout() : new TextLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(settings.level().logback);
        root.addAppender(stderr);
        for (String name : QUIET_BELOW_WARN) {
            context.getLogger(name).setLevel(settings.level() == Level.DEBUG ? null : ch.qos.logback.classic.Level.WARN);
        }
        // the JDK logs every System.exit at debug, with a stack trace
        context.getLogger("java.lang.Runtime").setLevel(ch.qos.logback.classic.Level.INFO);
    }

    /**
     * logback's configuration before the command line is read (found by logback through the
     * {@code provides} in module-info): text at info on stderr, instead of logback's default of
     * everything at debug on stdout. {@link #apply} replaces it once the flags are known.
     */
    public static final class DefaultConfiguration extends ContextAwareBase implements Configurator {
        /** For the ServiceLoader. */
        public DefaultConfiguration() {}

        @Override
        public ExecutionStatus configure(LoggerContext context) {
            LogSetup.configure(context, Settings.DEFAULT);
            return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** {@code 2026-11-24T01:02:03.456Z INFO  RaftNode: message key=value}, then the stack trace. */
    static final class TextLayout extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent event) {
            StringBuilder line = new StringBuilder(128);
            line.append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(' ');
            line.append(String.format(Locale.ROOT, "%-5s", event.getLevel().toString())).append(' ');
            line.append(shortName(event.getLoggerName())).append(": ").append(event.getFormattedMessage());
            List<KeyValuePair> pairs = event.getKeyValuePairs();
            if (pairs != null) {
                for (KeyValuePair pair : pairs) {
                    line.append(' ').append(pair.key).append('=').append(pair.value);
                }
            }
            line.append(CoreConstants.LINE_SEPARATOR);
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                line.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
            }
            return line.toString();
        }

        private static String shortName(String loggerName) {
            int dot = loggerName.lastIndexOf('.');
            return dot < 0 ? loggerName : loggerName.substring(dot + 1);
        }
    }

    /**
     * One JSON object per line, with zap's (etcd's) field names: {@code level}, {@code ts},
     * {@code logger}, {@code msg}, the record's key-value pairs, then {@code error} and
     * {@code stacktrace} for a throwable.
     */
    static final class JsonLayout extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent event) {
            StringBuilder json = new StringBuilder(160).append('{');
            field(json, "level", event.getLevel().toString().toLowerCase(Locale.ROOT));
            json.append(',');
            field(json, "ts", TIME.format(Instant.ofEpochMilli(event.getTimeStamp())));
            json.append(',');
            field(json, "logger", event.getLoggerName());
            json.append(',');
            field(json, "msg", event.getFormattedMessage());
            List<KeyValuePair> pairs = event.getKeyValuePairs();
            if (pairs != null) {
                for (KeyValuePair pair : pairs) {
                    json.append(',');
                    string(json, pair.key);
                    json.append(':');
                    if (pair.value instanceof Number || pair.value instanceof Boolean) {
                        json.append(pair.value);
                    } else {
                        string(json, String.valueOf(pair.value));
                    }
                }
            }
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null) {
                mdc.forEach((key, value) -> {
                    json.append(',');
                    field(json, key, value);
                });
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                json.append(',');
                field(json, "error", thrown.getClassName() + ": " + thrown.getMessage());
                json.append(',');
                field(json, "stacktrace", ThrowableProxyUtil.asString(thrown));
            }
            return json.append('}').append(CoreConstants.LINE_SEPARATOR).toString();
        }

        private static void field(StringBuilder json, String key, String value) {
            string(json, key);
            json.append(':');
            string(json, value);
        }

        /** A JSON string (RFC 8259): quotes, backslashes and control characters escaped. */
        static void string(StringBuilder json, String text) {
            json.append('"');
            if (text != null) {
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    switch (c) {
                        case '"' -> json.append("\\\"");
                        case '\\' -> json.append("\\\\");
                        case '\n' -> json.append("\\n");
                        case '\r' -> json.append("\\r");
                        case '\t' -> json.append("\\t");
                        default -> {
                            if (c < 0x20) {
                                json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                            } else {
                                json.append(c);
                            }
                        }
                    }
                }
            }
            json.append('"');
        }
    }
}
