package io.callstream.testkit.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.callstream.contracts.Json;
import io.callstream.testkit.DevTokens;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Loads the demo flows into the local stack (deploy/local/up): every {@code *.json} in the flows
 * directory that ivr-service does not hold yet (by name) is imported and published, and the inbound
 * one is bound to the demo number unless that number is bound already. Running it again changes
 * nothing, so a flow edited in the local stack is left alone. With an agent-service URL and a demo
 * file it also creates the demo skill groups and agents that are missing (by id, by staff number); with
 * an outbound-service URL and a number, it registers that number as a caller number outbound tasks can
 * name (unless it is registered already).
 *
 * <pre>LocalDemoData IVR_BASE_URL FLOWS_DIR KEYS_DIR INBOUND_NUMBER [AGENT_BASE_URL AGENTS_JSON [OUTBOUND_BASE_URL CALLER_NUMBER]]</pre>
 */
public final class LocalDemoData {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        String ivr = args[0];
        Path flows = Path.of(args[1]);
        KeyPair keys = DevTokens.loadOrCreate(Path.of(args[2]));
        String number = args[3];
        String token = DevTokens.mint(keys.getPrivate(), DevTokens.DEV_ISSUER, "local-demo-data", List.of("admin"),
                Duration.ofMinutes(10));

        Set<String> present = new HashSet<>();
        for (JsonNode f : call("GET", ivr + "/api/v1/flows?size=200", token, null, 200).get("items")) {
            present.add(f.get("name").asText());
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(flows)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path file : files) {
            JsonNode document = Json.MAPPER.readTree(Files.readAllBytes(file));
            String name = document.get("name").asText();
            if (present.contains(name)) {
                System.out.println("demo flow '" + name + "' is there already");
                continue;
            }
            String id = call("POST", ivr + "/api/v1/flows/import", token, document, 201).get("id").asText();
            call("POST", ivr + "/api/v1/flows/" + id + "/versions", token, null, 201);
            System.out.println("demo flow '" + name + "' imported and published (" + id + ")");
            if ("INBOUND".equals(document.get("kind").asText())) {
                HttpResponse<String> bound = send("GET", ivr + "/api/v1/numbers/" + number, token, null);
                if (bound.statusCode() == 404) {
                    call("PUT", ivr + "/api/v1/numbers/" + number, token,
                            Json.MAPPER.createObjectNode().put("flowId", id), 200);
                    System.out.println("number " + number + " runs '" + name + "'");
                }
            }
        }
        if (args.length >= 6) {
            loadAgents(args[4], Path.of(args[5]), token);
        }
        if (args.length >= 8) {
            registerCallerNumber(args[6], args[7], token);
        }
    }

    private static void registerCallerNumber(String outbound, String number, String token) throws Exception {
        for (JsonNode n : call("GET", outbound + "/api/v1/caller-numbers", token, null, 200)) {
            if (number.equals(n.get("number").asText())) {
                System.out.println("demo caller number " + number + " is there already");
                return;
            }
        }
        call("PUT", outbound + "/api/v1/caller-numbers/" + number, token,
                Json.MAPPER.createObjectNode().put("maxConcurrentCalls", 10), 201);
        System.out.println("demo caller number " + number + " registered (10 concurrent calls)");
    }

    private static void loadAgents(String agents, Path file, String token) throws Exception {
        JsonNode demo = Json.MAPPER.readTree(Files.readAllBytes(file));
        for (JsonNode group : demo.get("skillGroups")) {
            String id = group.get("id").asText();
            if (send("GET", agents + "/api/v1/skill-groups/" + id, token, null).statusCode() == 404) {
                call("POST", agents + "/api/v1/skill-groups", token, group, 201);
                System.out.println("demo skill group '" + id + "' created");
            } else {
                System.out.println("demo skill group '" + id + "' is there already");
            }
        }
        for (JsonNode agent : demo.get("agents")) {
            String staffNumber = agent.get("staffNumber").asText();
            JsonNode found = call("GET", agents + "/api/v1/agents?staffNumber="
                    + java.net.URLEncoder.encode(staffNumber, java.nio.charset.StandardCharsets.UTF_8), token, null, 200);
            if (found.get("items").isEmpty()) {
                String id = call("POST", agents + "/api/v1/agents", token, agent, 201).get("id").asText();
                System.out.println("demo agent " + staffNumber + " (extension " + agent.get("extension").asText()
                        + ") created: " + id);
            } else {
                System.out.println("demo agent " + staffNumber + " is there already");
            }
        }
    }

    private static JsonNode call(String method, String url, String token, JsonNode body, int expected) throws Exception {
        HttpResponse<String> r = send(method, url, token, body);
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
    }

    private static HttpResponse<String> send(String method, String url, String token, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private LocalDemoData() {
    }
}
