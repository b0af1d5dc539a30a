package dev.vigil.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Latency (log scale) against achieved throughput, drawn with java.awt (headless) to a PNG. */
final class LatencyChart {
    /** One line: its points are (throughput ev/s, latency ms). */
    record Series(String name, Color color, List<double[]> points, boolean dashed) {}

    private LatencyChart() {}

    static void write(Path png, String title, List<Series> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 900, h = 560, left = 80, right = 230, top = 50, bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double maxX = 1, minY = Double.MAX_VALUE, maxY = 1;
        for (Series s : series) {
            for (double[] p : s.points()) {
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, Math.max(0.1, p[1]));
                maxY = Math.max(maxY, p[1]);
            }
        }
        maxX = niceCeil(maxX * 1.05);
        double logMin = Math.floor(Math.log10(Math.min(minY, 1)));
        double logMax = Math.ceil(Math.log10(maxY * 1.01));
        if (logMax <= logMin) logMax = logMin + 1;
        int pw = w - left - right, ph = h - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(Color.BLACK);
        g.drawString(title, left, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        // Grid: decades on y, five steps on x.
        for (int d = (int) logMin; d <= (int) logMax; d++) {
            int y = top + ph - (int) Math.round((d - logMin) / (logMax - logMin) * ph);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            double v = Math.pow(10, d);
            g.drawString(v >= 1 ? String.format("%,.0f ms", v) : String.format("%.1f ms", v), 8, y + 4);
        }
        for (int i = 0; i <= 5; i++) {
            double xv = maxX * i / 5;
            int x = left + (int) Math.round(xv / maxX * pw);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x, top, x, top + ph);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%,.0f", xv), x - 15, top + ph + 18);
        }
        g.drawString("achieved throughput (events or requests per second)", left + pw / 2 - 150, h - 18);
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        int legendY = top + 10;
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(s.dashed() ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2f));
            int px = -1, py = -1;
            for (double[] p : s.points()) {
                int x = left + (int) Math.round(p[0] / maxX * pw);
                double ly = Math.log10(Math.max(p[1], Math.pow(10, logMin)));
                int y = top + ph - (int) Math.round((ly - logMin) / (logMax - logMin) * ph);
                g.fillOval(x - 3, y - 3, 7, 7);
                if (px >= 0) g.drawLine(px, py, x, y);
                px = x;
                py = y;
            }
            g.drawLine(left + pw + 15, legendY, left + pw + 40, legendY);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), left + pw + 46, legendY + 4);
            legendY += 20;
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static double niceCeil(double v) {
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) if (step * mag >= v) return step * mag;
        return 10 * mag;
    }
}
