package io.ssegateway.host.sse;

import io.helidon.http.Header;
import io.helidon.webserver.http.ServerRequest;
import io.ssegateway.host.auth.HeldAuthRequest;
import io.ssegateway.kit.QueryParams;
import io.ssegateway.spi.auth.AuthRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@link AuthRequest} of one {@code GET /sse/connect}, read once from the Helidon request. */
final class HttpAuthRequest {

    private HttpAuthRequest() {
    }

    static HeldAuthRequest of(ServerRequest request, String rawQuery, QueryParams query, List<String> channelIds,
                              String clientIp) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Header header : request.headers()) {
            headers.computeIfAbsent(header.name(), name -> new ArrayList<>()).addAll(header.allValues());
        }
        return new HeldAuthRequest(AuthRequest.Action.SUBSCRIBE, request.prologue().method().text(),
                request.path().rawPath(), rawQuery, query, headers, clientIp, channelIds);
    }
}
