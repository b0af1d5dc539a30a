package dev.vigil.notify;

import dev.vigil.cases.Alert;
import dev.vigil.cases.CaseStore;
import dev.vigil.decision.Verdict;
import dev.vigil.rules.RuleReload;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * What Vigil tells people about at once: a BLOCK at or above an amount (any currency, the amount
 * as it is in its own currency), and a rule change that was refused. Formats the message and hands
 * it to the {@link WebhookNotifier}.
 */
public final class Notifications {
    private final WebhookNotifier webhook;
    private final BigDecimal blockAmount;
    private final String consoleUrl;

    /** @param consoleUrl the console's address for links, e.g. {@code http://127.0.0.1:8080/console/} */
    public Notifications(WebhookNotifier webhook, BigDecimal blockAmount, String consoleUrl) {
        this.webhook = Objects.requireNonNull(webhook, "webhook");
        this.blockAmount = Objects.requireNonNull(blockAmount, "blockAmount");
        this.consoleUrl = consoleUrl;
    }

    /** A case listener: a first-time BLOCK at or above the amount. @return true when a message was queued */
    public boolean onAlertFiled(Alert a, CaseStore.Opened opened) {
        if (a.verdict() != Verdict.BLOCK || a.amount().compareTo(blockAmount) < 0) return false;
        return webhook.notify(":no_entry: BLOCK " + a.amount().toPlainString() + " " + a.currency() + " on account "
                + a.accountId() + " (transaction " + a.transactionId() + ", risk " + a.riskScore()
                + (a.ruleIds().isEmpty() ? "" : ", rules " + String.join(", ", a.ruleIds())) + ") in case " + opened.caseId()
                + (consoleUrl == null ? "" : ": " + consoleUrl + "#/case/" + opened.caseId()));
    }

    /** A rule-reload listener: refused changes only. @return true when a message was queued */
    public boolean onRuleReload(RuleReload r) {
        if (r.outcome() != RuleReload.Outcome.REFUSED) return false;
        return webhook.notify(":warning: Rules change refused; " + r.running().label() + " (" + r.running().contentHash()
                + ") stays in force. Problems:\n- " + String.join("\n- ", r.problems()));
    }
}
