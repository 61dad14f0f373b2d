package io.ssegateway.host.http;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerResponse;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

/**
 * {@code HEAD} where {@code GET} works: the GET handler runs, and what it would send is replaced by its length
 * ({@code Content-Length}), so that the answer has the GET's status and headers and no body (RFC 9110 §9.3.2).
 * Helidon 4.5 answers {@code HEAD} with 405 unless a route takes it, and would send a body if a route did.
 */
public final class HeadRequests {

    private HeadRequests() {
    }

    /** A HEAD handler running {@code get}; for handlers that answer with {@code send(String)} or {@code send(byte[])}. */
    public static Handler of(Handler get) {
        return (request, response) -> get.handle(request, withoutBody(response));
    }

    /**
     * {@code handler}, answering a {@code HEAD} request without the body it sends (for the catch-all 404 and 405
     * handlers, which take any method: a body after a HEAD answer would be read as the start of the next one).
     */
    public static Handler bodilessForHead(Handler handler) {
        return (request, response) -> handler.handle(request,
                request.prologue().method() == io.helidon.http.Method.HEAD ? withoutBody(response) : response);
    }

    private static ServerResponse withoutBody(ServerResponse response) {
        InvocationHandler bodiless = new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                if (method.getName().equals("send") && args != null && args.length == 1
                        && (args[0] instanceof String || args[0] instanceof byte[])) {
                    byte[] body = args[0] instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : (byte[]) args[0];
                    response.headers().contentLength(body.length);
                    response.send(new byte[0]);
                    return null;
                }
                try {
                    Object result = method.invoke(response, args);
                    // fluent calls go on through the proxy
                    return result == response ? proxy : result;
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        };
        return (ServerResponse) Proxy.newProxyInstance(HeadRequests.class.getClassLoader(),
                new Class<?>[] {ServerResponse.class}, bodiless);
    }
}
