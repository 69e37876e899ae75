package io.callstream.servicekit.testapp;

import io.callstream.servicekit.webhook.WebhookSecrets;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;

/** The signing secrets of the test app's webhook subscribers, as a service would keep them. */
@ApplicationScoped
public class SubscriberSecrets implements WebhookSecrets {
    public static final String CRM = "crm";
    public static final String CRM_SECRET = "whsec-crm-3f9a1c";
    public static final String BILLING = "billing";
    public static final String BILLING_SECRET = "whsec-billing-77e0d2";

    private static final Map<String, String> SECRETS = Map.of(CRM, CRM_SECRET, BILLING, BILLING_SECRET);

    @Override
    public Optional<String> secret(String subscriber) {
        return Optional.ofNullable(SECRETS.get(subscriber));
    }
}
