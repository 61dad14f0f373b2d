package io.ssegateway.plugin.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.plugin.registry.RegistryFixtures.Instance;
import io.ssegateway.redis.RedisPerClass;
import io.ssegateway.spi.auth.AuthRequest;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Authenticator;
import io.ssegateway.spi.auth.Denial;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /push} and {@code /store} take a publisher credential that the gateway's authenticator judges per channel. */
class PushPublisherCredentialTest {

    private static final String TOKEN = "s3cret-token";

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    /** The credential {@code rooms} may publish to {@code room-*}. */
    private static final List<AuthRequest> ASKED = new CopyOnWriteArrayList<>();
    private static final Authenticator ROOM_PUBLISHERS = new Authenticator() {
        @Override
        public AuthResult authenticate(AuthRequest request) {
            ASKED.add(request);
            if (request.action() == AuthRequest.Action.SUBSCRIBE) {
                return AuthResult.allow();
            }
            if (!request.bearerToken().map("rooms"::equals).orElse(false)) {
                return AuthResult.deny(Denial.denyJson(401, "{\"error\":\"invalid token\"}")
                        .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\""));
            }
            return request.channelIds().stream().allMatch(channel -> channel.startsWith("room-")) ? AuthResult.allow()
                    : AuthResult.deny(Denial.denyJson(403, "{\"channel_id\":\"" + request.channelId() + "\"}"));
        }

        @Override
        public boolean authorizesPublishers() {
            return true;
        }
    };

    private static Instance gateway;

    @BeforeAll
    static void start() {
        gateway = Instance.start(REDIS.server(), "api", builder -> builder.auth(ROOM_PUBLISHERS), "push-token", TOKEN);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static Http.Response post(String path, String channel, String credential) {
        return Http.post(gateway.pushPort(), path, "application/json", RegistryFixtures.body(channel, "t", "x", null),
                Map.of("Authorization", "Bearer " + credential));
    }

    @Test
    void aPublisherCredentialPublishesToItsChannelsOnly() {
        Http.Response allowed = post("/push", "room-1", "rooms");
        assertEquals(200, allowed.status(), allowed.body());
        AuthRequest asked = ASKED.get(ASKED.size() - 1);
        assertEquals(AuthRequest.Action.PUBLISH, asked.action());
        assertEquals(List.of("room-1"), asked.channelIds());
        assertEquals("/push", asked.path());
        assertEquals(200, post("/store", "room-2", "rooms").status());

        Http.Response outside = post("/push", "user-1", "rooms");
        assertEquals(403, outside.status());
        assertEquals("user-1", outside.json().get("channel_id").asText());
        assertEquals(0L, REDIS.server().command("EXISTS", "sse:stream:user-1"), "nothing stored for a refused push");
        Http.Response forged = post("/push", "room-1", "forged");
        assertEquals(401, forged.status());
        assertEquals("Bearer error=\"invalid_token\"", forged.header("WWW-Authenticate"));
    }

    @Test
    void thePushTokenStillPublishesAnywhereAndTheOtherRoutesNeedIt() {
        int before = ASKED.size();
        assertEquals(200, post("/push", "user-1", TOKEN).status());
        assertEquals(before, ASKED.size(), "the push token is not handed to the authenticator");
        Http.Response instances = Http.get(gateway.pushPort(), "/instances", Map.of("Authorization", "Bearer rooms"));
        assertEquals(401, instances.status());
        assertTrue(instances.body().contains("push token"), instances.body());
    }
}
