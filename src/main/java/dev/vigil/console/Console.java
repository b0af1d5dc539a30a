package dev.vigil.console;

import dev.vigil.access.AccessStore;
import dev.vigil.access.PasswordHasher;
import dev.vigil.cases.CaseOpener;
import dev.vigil.cases.CaseQueries;
import dev.vigil.cases.CaseService;
import dev.vigil.cases.CaseStore;
import dev.vigil.cases.KafkaLabelSink;
import dev.vigil.infra.ConnectionPool;
import dev.vigil.notify.Notifications;
import dev.vigil.notify.WebhookNotifier;
import dev.vigil.rules.LiveRuleEngine;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;

/**
 * The people's side of Vigil, wired for the running platform: access control, the case queue
 * (fed from {@code vigil.alerts}), the console and its API, and webhook notifications. Closes
 * what it started.
 */
public final class Console implements AutoCloseable {
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, Object> beans = new LinkedHashMap<>();
    private AccessStore access;
    private CaseStore cases;
    private CaseOpener opener;
    private WebhookNotifier webhook;

    private Console() {}

    /**
     * @param jdbcUrl the audit database, used as {@code user} through a small pool of its own
     * @param httpBase e.g. {@code http://127.0.0.1:8080}, for links in notifications
     */
    public static Console create(ConsoleSettings s, Clock clock, String jdbcUrl, String user, String password,
            String kafkaBootstrap, String groupId, Producer<String, byte[]> producer, LiveRuleEngine rules, String httpBase) {
        Console c = new Console();
        try {
            ConnectionPool pool = new ConnectionPool(jdbcUrl, user, password, 4, "vigil-console");
            c.resources.add(pool);
            c.access = new AccessStore(pool, clock, s.sessionTtl(), s.apiKeyCacheTtl(), new PasswordHasher(s.passwordIterations()));
            c.cases = new CaseStore(pool, clock, s.caseWindow(), s.sla());
            CaseService service = new CaseService(c.cases, new KafkaLabelSink(producer));
            CaseQueries queries = new CaseQueries(pool, clock);
            c.opener = new CaseOpener(c.cases, kafkaBootstrap, groupId + "-cases");
            c.resources.add(c.opener);
            if (s.webhookUrl() != null) {
                c.webhook = new WebhookNotifier(s.webhookUrl(), s.notifyAttempts(), s.notifyBackoff(), 1000);
                c.resources.add(c.webhook);
                Notifications n = new Notifications(c.webhook, s.notifyBlockAmount(), httpBase + "/console/");
                c.opener.addListener(n::onAlertFiled);
                rules.addListener(n::onRuleReload);
            }
            c.beans.put("gate", new AccessGate(c.access, s.authEnabled()));
            c.beans.put("consoleApi", new ConsoleApi(c.access, queries, service, s));
            c.beans.put("consoleFiles", new ConsoleFiles());
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Starts filing alerts into cases. */
    public void start() {
        opener.start();
    }

    /** The beans {@code camel-routes/http.yaml} and {@code console.yaml} refer to. */
    public Map<String, Object> beans() {
        return beans;
    }

    public AccessStore access() {
        return access;
    }

    public CaseStore cases() {
        return cases;
    }

    public CaseOpener opener() {
        return opener;
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception ignored) {
                // closing on the way out: nothing more to do
            }
        }
        resources.clear();
    }
}
