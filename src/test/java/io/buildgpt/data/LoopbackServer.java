package io.buildgpt.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A tiny HTTP server on 127.0.0.1 with one path per download scenario; no network needed. */
final class LoopbackServer implements AutoCloseable {

    interface Handler {
        void handle(HttpExchange exchange) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-http");
        t.setDaemon(true);
        return t;
    });

    LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // Own threads, so a deliberately slow handler cannot block the other scenarios.
        server.setExecutor(executor);
        server.start();
    }

    LoopbackServer on(String path, Handler handler) {
        server.createContext(path, exchange -> {
            try {
                handler.handle(exchange);
            } catch (Exception e) {
                // Expected for the broken scenarios (the client gave up, or we cut the body short).
            } finally {
                exchange.close();
            }
        });
        return this;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Serves {@code body} with a correct Content-Length. */
    static Handler bytes(byte[] body) {
        return ex -> {
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        };
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow(); // interrupts handlers still sleeping in the slow scenarios
    }
}
