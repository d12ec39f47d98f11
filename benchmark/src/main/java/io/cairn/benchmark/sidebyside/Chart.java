package io.cairn.benchmark.sidebyside;

import io.cairn.benchmark.load.LoadResult;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws the run as a PNG with Java2D (headless): throughput and p99 latency per workload, one bar
 * per server, on logarithmic axes because the rows span four orders of magnitude.
 */
final class Chart {

    private static final Color[] SERVER_COLORS = {new Color(0x41, 0x69, 0xe1), new Color(0xe0, 0x7b, 0x1a),
            new Color(0x2e, 0x8b, 0x57), new Color(0x8b, 0x3a, 0x8b)};
    private static final int WIDTH = 1400;
    private static final int LABEL_WIDTH = 330;
    private static final int BAR = 13;
    private static final int GROUP_GAP = 10;

    private Chart() {
    }

    static void write(RunReport report, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> servers = new ArrayList<>(report.results.keySet());
        int rows = report.workloads.size();
        int groupHeight = servers.size() * BAR + GROUP_GAP;
        int panelHeight = 40 + rows * groupHeight + 30;
        int height = 70 + 2 * panelHeight + 20;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.drawString("Cairn vs etcd, one member on 127.0.0.1, " + report.duration + " per workload ("
                    + java.time.format.DateTimeFormatter.ISO_LOCAL_DATE.withZone(java.time.ZoneOffset.UTC).format(report.started) + ")", 20, 30);
            int legendX = 20;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            for (int s = 0; s < servers.size(); s++) {
                g.setColor(SERVER_COLORS[s % SERVER_COLORS.length]);
                g.fillRect(legendX, 44, 14, 14);
                g.setColor(Color.BLACK);
                g.drawString(servers.get(s), legendX + 20, 56);
                legendX += 40 + g.getFontMetrics().stringWidth(servers.get(s));
            }
            panel(g, report, servers, 70, "throughput (requests/s, log scale; higher is better)",
                    LoadResult::requestsPerSecond, v -> String.format(Locale.ROOT, "%,.0f", v));
            panel(g, report, servers, 70 + panelHeight, "p99 latency (ms, log scale; lower is better)",
                    r -> r.latencyMs().p99(), v -> String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v));
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static void panel(Graphics2D g, RunReport report, List<String> servers, int top, String title,
                              ToDoubleFunction<LoadResult> metric, java.util.function.DoubleFunction<String> format) {
        double max = 0;
        double min = Double.MAX_VALUE;
        for (String server : servers) {
            for (SideBySideMain.Workload workload : report.workloads) {
                LoadResult result = report.result(server, workload.label());
                if (result == null) continue;
                double value = metric.applyAsDouble(result);
                if (value > 0) {
                    max = Math.max(max, value);
                    min = Math.min(min, value);
                }
            }
        }
        if (max == 0) return;
        double lowDecade = Math.floor(Math.log10(min));
        double highDecade = Math.ceil(Math.log10(max) + 0.15);
        int plotLeft = LABEL_WIDTH;
        int plotWidth = WIDTH - plotLeft - 110;
        int groupHeight = servers.size() * BAR + GROUP_GAP;
        int plotTop = top + 30;
        int plotHeight = report.workloads.size() * groupHeight;

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 20, top + 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics metrics = g.getFontMetrics();
        // decade grid lines
        for (double decade = lowDecade; decade <= highDecade; decade++) {
            int x = plotLeft + (int) ((decade - lowDecade) / (highDecade - lowDecade) * plotWidth);
            g.setColor(new Color(0xdd, 0xdd, 0xdd));
            g.setStroke(new BasicStroke(1));
            g.drawLine(x, plotTop, x, plotTop + plotHeight);
            g.setColor(Color.DARK_GRAY);
            double tick = Math.pow(10, decade);
            String label = tick >= 1 ? String.format(Locale.ROOT, "%,.0f", tick) : String.format(Locale.ROOT, "%.2f", tick);
            g.drawString(label, x - metrics.stringWidth(label) / 2, plotTop + plotHeight + 14);
        }
        for (int row = 0; row < report.workloads.size(); row++) {
            SideBySideMain.Workload workload = report.workloads.get(row);
            int groupTop = plotTop + row * groupHeight;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(workload.label(), 20, groupTop + servers.size() * BAR / 2 + 5);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int s = 0; s < servers.size(); s++) {
                LoadResult result = report.result(servers.get(s), workload.label());
                if (result == null) continue;
                double value = metric.applyAsDouble(result);
                int y = groupTop + s * BAR;
                int length = value <= 0 ? 0
                        : (int) Math.max(1, (Math.log10(value) - lowDecade) / (highDecade - lowDecade) * plotWidth);
                g.setColor(SERVER_COLORS[s % SERVER_COLORS.length]);
                g.fillRect(plotLeft, y, length, BAR - 2);
                g.setColor(Color.BLACK);
                g.drawString(format.apply(value), plotLeft + length + 4, y + BAR - 3);
            }
        }
        g.setColor(Color.BLACK);
        g.drawLine(plotLeft, plotTop, plotLeft, plotTop + plotHeight);
    }
}
