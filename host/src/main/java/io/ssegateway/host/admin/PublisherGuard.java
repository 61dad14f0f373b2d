package io.ssegateway.host.admin;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.auth.PublishAuthorizer;
import io.ssegateway.host.http.ClientAddress;
import io.ssegateway.host.http.Denials;
import io.ssegateway.kit.BearerToken;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.source.IncomingMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may publish with {@code POST /api/send}: the admin ({@link AdminGuard}: the admin token, or a loopback client
 * while none is set), or a publisher whose own {@code Authorization: Bearer} credential (anything but the admin token)
 * the gateway's authenticator admits for the message's channel, when it
 * {@linkplain io.ssegateway.spi.auth.Authenticator#authorizesPublishers() judges publishers}.
 */
final class PublisherGuard {

    /** Who is publishing. */
    enum Publisher {
        /** Admitted by the admin guard: may publish anything. */
        ADMIN,
        /** Presents a credential of its own: the authenticator judges it once the message's target is known. */
        CREDENTIAL
    }

    private final AdminGuard admin;
    private final PublishAuthorizer authorizer;
    private final ClientAddress clientAddress;

    PublisherGuard(AdminGuard admin, PublishAuthorizer authorizer, ClientAddress clientAddress) {
        this.admin = admin;
        this.authorizer = authorizer;
        this.clientAddress = clientAddress;
    }

    /** Before the body is read: who is publishing, or {@code null} once the request has been refused. */
    Publisher admit(ServerRequest request, ServerResponse response) {
        String authorization = request.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        String presented = BearerToken.presented(authorization);
        if (authorizer.judgesPublishers() && presented != null && !presented.isEmpty()
                && !admin.isAdminToken(authorization)) {
            return Publisher.CREDENTIAL;
        }
        return admin.admit(request, response) ? Publisher.ADMIN : null;
    }

    /** Once the message is known: whether {@code publisher} may publish it; otherwise the denial has been sent. */
    boolean mayPublish(Publisher publisher, IncomingMessage message, ServerRequest request, ServerResponse response) {
        if (publisher == Publisher.ADMIN) {
            return true;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Header header : request.headers()) {
            headers.computeIfAbsent(header.name(), name -> new ArrayList<>()).addAll(header.allValues());
        }
        String query = request.query().rawValue();
        String uri = request.prologue().uriPath().rawPath() + (query == null || query.isEmpty() ? "" : "?" + query);
        String clientIp = clientAddress.of(request);
        AuthResult verdict = authorizer.authorize(request.prologue().method().text(), uri, headers, clientIp,
                message.isBroadcast() ? List.of() : List.of(message.channelId())).orElseThrow();
        if (verdict.allowed()) {
            return true;
        }
        Denials.send(response, verdict.denial().orElseThrow());
        return false;
    }
}
