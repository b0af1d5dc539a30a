package dev.vigil.score;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import javax.imageio.ImageIO;

/** Draws a precision-recall curve as a PNG with the JDK alone (headless AWT and ImageIO). */
public final class PrecisionRecallChart {

    private static final int W = 640;
    private static final int H = 480;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private PrecisionRecallChart() {}

    /**
     * The curve's points, highest threshold first: {recall, precision} after each distinct score
     * (ties form one point, as in {@link Metrics#averagePrecision}).
     */
    static double[][] points(double[] scores, boolean[] labels) {
        long positives = 0;
        for (boolean b : labels) if (b) positives++;
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble(i -> -scores[i]));
        double[][] pts = new double[scores.length][];
        int n = 0;
        long tp = 0;
        long fp = 0;
        for (int i = 0; i < order.length; i++) {
            if (labels[order[i]]) tp++;
            else fp++;
            boolean lastOfTie = i + 1 == order.length || scores[order[i + 1]] != scores[order[i]];
            if (lastOfTie) pts[n++] = new double[] {(double) tp / positives, (double) tp / (tp + fp)};
        }
        return Arrays.copyOf(pts, n);
    }

    /** Writes the chart of the validation scores to {@code png}, with the REVIEW threshold's point marked. */
    public static void write(double[] scores, boolean[] labels, double reviewThreshold, String title, Path png) {
        System.setProperty("java.awt.headless", "true");
        double[][] pts = points(scores, labels);
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(new Color(230, 230, 230));
            for (int k = 0; k <= 10; k++) {
                int x = x(k / 10.0);
                int y = y(k / 10.0);
                g.drawLine(x, y(0), x, y(1));
                g.drawLine(x(0), y, x(1), y);
            }
            g.setColor(Color.BLACK);
            g.drawRect(x(0), y(1), x(1) - x(0), y(0) - y(1));
            for (int k = 0; k <= 10; k += 2) {
                String v = String.format("%.1f", k / 10.0);
                g.drawString(v, x(k / 10.0) - 8, y(0) + 16);
                g.drawString(v, x(0) - 28, y(k / 10.0) + 4);
            }
            g.drawString("recall", x(0.5) - 15, H - 15);
            g.rotate(-Math.PI / 2);
            g.drawString("precision", -y(0.5) - 25, 20);
            g.rotate(Math.PI / 2);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, 24);

            Path2D.Double curve = new Path2D.Double();
            curve.moveTo(x(0), y(pts.length == 0 ? 1 : pts[0][1]));
            for (double[] p : pts) curve.lineTo(x(p[0]), y(p[1]));
            g.setColor(new Color(31, 119, 180));
            g.setStroke(new BasicStroke(2f));
            g.draw(curve);

            double recall = Metrics.rateAtOrAbove(scores, labels, true, reviewThreshold);
            long tp = 0;
            long flagged = 0;
            for (int i = 0; i < scores.length; i++) {
                if (scores[i] >= reviewThreshold) {
                    flagged++;
                    if (labels[i]) tp++;
                }
            }
            if (flagged > 0) {
                double precision = (double) tp / flagged;
                g.setColor(new Color(214, 39, 40));
                g.fillOval(x(recall) - 5, y(precision) - 5, 10, 10);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.drawString(String.format("REVIEW at p >= %.4f: recall %.3f, precision %.3f", reviewThreshold, recall, precision),
                        x(0.02), y(0.05));
            }
        } finally {
            g.dispose();
        }
        try {
            if (!ImageIO.write(img, "png", png.toFile())) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }

    private static int x(double recall) {
        return LEFT + (int) Math.round(recall * (W - LEFT - RIGHT));
    }

    private static int y(double precision) {
        return H - BOTTOM - (int) Math.round(precision * (H - TOP - BOTTOM));
    }
}
