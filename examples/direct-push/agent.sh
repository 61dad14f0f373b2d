#!/bin/sh
# The direct-push agent flow of the original gateway, with redis-cli and curl: find the gateway instance that holds a
# channel in Redis, push the message straight to it; when nobody holds the channel, store it for the next connection.
#
#   examples/direct-push/agent.sh <channel> <event type> <data as JSON> [id]
#   examples/direct-push/agent.sh user-42 notification '{"text": "hi"}' n-1001
#
# Environment:
#   REDIS_HOST, REDIS_PORT  the registry's Redis (localhost, 6379)
#   STORE_URL               any instance's push API, for messages to a channel nobody holds (http://localhost:9000)
#   PUSH_TOKEN              the gateways' push-token, if they require one
#
# The id makes a retry, or the same message pushed twice, be stored once: always send one. Channel, event type and id
# are put into the JSON as they are (no escaping): keep them to plain characters.
set -eu

if [ $# -lt 3 ]; then
    echo "usage: $0 <channel> <event type> <data as JSON> [id]" >&2
    exit 2
fi
channel=$1
event_type=$2
data=$3
id=${4:-}
redis="redis-cli -h ${REDIS_HOST:-localhost} -p ${REDIS_PORT:-6379} --raw"
store_url=${STORE_URL:-http://localhost:9000}

if [ -n "$id" ]; then
    body="{\"channel_id\": \"$channel\", \"event_type\": \"$event_type\", \"data\": $data, \"id\": \"$id\"}"
else
    body="{\"channel_id\": \"$channel\", \"event_type\": \"$event_type\", \"data\": $data}"
fi

# POST <url> with the body (and the token) into $reply; an HTTP error ends the script with the gateway's answer
post() {
    if [ -n "${PUSH_TOKEN:-}" ]; then
        set -- "$1" -H "Authorization: Bearer $PUSH_TOKEN"
    fi
    if ! reply=$(curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' -d "$body" "$@"); then
        echo "POST $1 failed: $reply" >&2
        exit 1
    fi
}

# 1. where is the channel? the original's key names the instance that took it last, as host:port
gateway=$($redis GET "channel:$channel:gateway")

if [ -z "$gateway" ]; then
    # 2b. nobody holds it: store it; the client replays it on its next connection (Last-Event-ID)
    post "$store_url/store"
    echo "stored via $store_url: $reply"
    exit 0
fi

# 2a. push it to that instance: stored once and delivered to its subscribers
post "http://$gateway/push"
echo "pushed to $gateway: $reply"
case $reply in
    *'"online":true'*) exit 0 ;;
esac

# 3. the user left that instance since the lookup: the message is stored; if the user is on another instance now,
#    push it there too, with the same id (stored once, delivered live there)
moved=$($redis GET "channel:$channel:gateway")
if [ -n "$moved" ] && [ "$moved" != "$gateway" ]; then
    post "http://$moved/push"
    echo "pushed to $moved: $reply"
else
    echo "offline: stored, the client gets it when it reconnects"
fi
