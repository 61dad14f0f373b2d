# sse-gateway container image: the distribution on a Java 21 JRE, as a non-root user.
#
#   mvn -B -DskipTests package -pl distribution -am      # builds distribution/target/sse-gateway-0.2.0/…
#   docker build -t sse-gateway:0.2.0 .
#   docker run -p 8080:8080 -p 9090:9090 sse-gateway:0.2.0
#
# Configuration comes from the environment (PORT, GATEWAY_…, REDIS_URL, …: docs/configuration.md) or from a
# conf/application.yaml mounted over /opt/sse-gateway/conf; plugins from /opt/sse-gateway/plugins (may be read-only).
# docs/operations.md › Containers and Kubernetes explains each choice; distribution's ContainerIT checks this file.
FROM eclipse-temurin:21-jre

ARG DIST=distribution/target/sse-gateway-0.2.0/sse-gateway-0.2.0

RUN groupadd --system --gid 10001 sse \
 && useradd --system --uid 10001 --gid sse --home-dir /opt/sse-gateway --no-create-home --shell /usr/sbin/nologin sse

# owned by root, readable by all: the gateway cannot change its own code
COPY ${DIST}/ /opt/sse-gateway/

# probes, metrics and the admin API on their own port, never published by the public Service; JSON log lines
ENV PORT=8080 \
    GATEWAY_MANAGEMENT_PORT=9090 \
    GATEWAY_LOG_FORMAT=json
EXPOSE 8080 9090

VOLUME ["/opt/sse-gateway/plugins", "/opt/sse-gateway/conf"]

USER 10001:10001
WORKDIR /opt/sse-gateway

# bin/healthcheck asks /health on GATEWAY_MANAGEMENT_PORT (or PORT) with bash alone: the JRE image has no curl to rely on
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/opt/sse-gateway/bin/healthcheck"]

# exec form, and bin/sse-gateway execs the JVM: the JVM is PID 1 and gets SIGTERM, shuts down gracefully, exits 0
ENTRYPOINT ["/opt/sse-gateway/bin/sse-gateway"]
