package dev.vigil.score;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** A trained booster with its card, ready to be written as a model directory. */
public final class TrainedModel {

    private final ModelCard card;
    private final byte[] booster;
    private final ValidationScores validation;

    /**
     * The kept booster's probabilities on the validation rows, with their labels: what the card's
     * metrics and thresholds were computed from, kept for a precision-recall curve.
     */
    public record ValidationScores(double[] probabilities, boolean[] labels) {}

    TrainedModel(ModelCard card, byte[] booster, ValidationScores validation) {
        this.card = Objects.requireNonNull(card, "card");
        this.booster = Objects.requireNonNull(booster, "booster").clone();
        this.validation = Objects.requireNonNull(validation, "validation");
    }

    /** The validation rows' probabilities and labels. */
    public ValidationScores validation() {
        return validation;
    }

    public ModelCard card() {
        return card;
    }

    /** The booster in XGBoost's UBJSON format, as written to {@link ModelCard#boosterFile()}. */
    public byte[] boosterBytes() {
        return booster.clone();
    }

    /**
     * Writes {@code model.ubj} then {@code model.json} into the directory, creating it if needed and
     * replacing files of those names. The card goes last, so a directory left half-written by a crash
     * has no card and does not load.
     */
    public void writeTo(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(card.boosterFile()), booster);
            CardJson.MAPPER.writeValue(dir.resolve(ModelCard.FILE_NAME).toFile(), card);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model " + card.version() + " to " + dir, e);
        }
    }
}
