package io.callstream.ivr.records;

import io.callstream.ivr.config.IvrConfig;
import io.callstream.servicekit.config.ServicekitConfig;
import io.callstream.servicekit.net.UrlPolicy;
import io.callstream.servicekit.webhook.WebhookSecrets;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Optional;

/**
 * The call-record webhooks' secrets, from configuration. At start every configured webhook is checked —
 * a URL the callback policy refuses, or an empty secret, stops the service with the subscriber named,
 * rather than failing every call's end later.
 */
@ApplicationScoped
public class RecordWebhookSecrets implements WebhookSecrets {
    private final IvrConfig config;
    private final ServicekitConfig kit;

    RecordWebhookSecrets(IvrConfig config, ServicekitConfig kit) {
        this.config = config;
        this.kit = kit;
    }

    void check(@Observes StartupEvent ignored) {
        UrlPolicy policy = new UrlPolicy(kit.webhooks().allowlist().orElse(List.of()));
        config.records().webhooks().forEach((name, hook) -> {
            String refusal = policy.refusal(hook.url());
            if (refusal != null) {
                throw new IllegalStateException("callstream.ivr.records.webhooks." + name + ".url: " + refusal);
            }
            if (hook.secret() == null || hook.secret().isBlank()) {
                throw new IllegalStateException("callstream.ivr.records.webhooks." + name + ".secret: must not be empty");
            }
        });
    }

    @Override
    public Optional<String> secret(String subscriber) {
        IvrConfig.Records.Webhook hook = config.records().webhooks().get(subscriber);
        return hook == null ? Optional.empty() : Optional.of(hook.secret());
    }
}
