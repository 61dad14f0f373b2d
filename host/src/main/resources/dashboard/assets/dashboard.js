// sse-gateway dashboard. No framework, no inline code (the page's CSP forbids it), and every piece of data is put
// into the page with textContent, never as HTML.
(() => {
  'use strict';

  const TOKEN_KEY = 'sse-gateway.admin-token';
  const ALWAYS_LISTENED = ['message', 'heartbeat', 'gap'];
  const MAX_LOGGED_EVENTS = 200;
  const RETRY_FIRST_MS = 1000;
  const RETRY_MAX_MS = 15000;

  const body = document.body;
  const paths = {
    events: body.dataset.eventsPath,
    send: body.dataset.sendPath,
    connect: body.dataset.connectPath,
  };
  const $ = (id) => document.getElementById(id);

  /** Replaces an element's text; data never becomes markup. */
  function setText(id, value) {
    $(id).textContent = value === null || value === undefined ? '–' : String(value);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = String(text);
    }
    return node;
  }

  function showMessage(id, text) {
    const node = $(id);
    node.textContent = text || '';
    node.hidden = !text;
  }

  /** The gateway's {"error": "..."} message of a failed response, or its status. */
  async function errorText(response) {
    try {
      const json = await response.json();
      if (json && typeof json.error === 'string') {
        return json.error;
      }
    } catch (ignored) {
      // not JSON
    }
    return 'HTTP ' + response.status;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Admin token: the admin API wants "Authorization: Bearer <token>" when the gateway has one. It is asked for on
  // the first 401, kept in sessionStorage (this tab only, gone when it closes) and never put into a URL.

  const auth = {
    token() {
      return sessionStorage.getItem(TOKEN_KEY);
    },
    headers(extra) {
      const headers = Object.assign({}, extra);
      const token = auth.token();
      if (token) {
        headers.Authorization = 'Bearer ' + token;
      }
      return headers;
    },
    ask(message) {
      $('auth').hidden = false;
      $('auth-message').textContent = message;
      $('auth-token').value = '';
      $('auth-token').focus();
    },
    refresh() {
      $('forget-token').hidden = !auth.token();
    },
  };

  $('auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('auth-token').value.trim();
    if (!token) {
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    $('auth').hidden = true;
    auth.refresh();
    stats.start();
  });

  $('forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    auth.refresh();
    stats.start();
  });

  // ---------------------------------------------------------------------------------------------------------------
  // An event-stream parser for fetch() bodies (EventSource cannot send an Authorization header). Follows the
  // WHATWG rules the dashboard needs: CR, LF or CRLF line ends, comments, "event" and multi-line "data".

  class EventStreamParser {
    constructor(onEvent) {
      this.onEvent = onEvent;
      this.buffer = '';
      this.type = '';
      this.data = [];
    }

    push(text) {
      this.buffer += text;
      let end;
      while ((end = this.buffer.search(/[\r\n]/)) >= 0) {
        if (this.buffer[end] === '\r' && end === this.buffer.length - 1) {
          break; // a CRLF may be split between two chunks
        }
        const line = this.buffer.slice(0, end);
        const width = this.buffer[end] === '\r' && this.buffer[end + 1] === '\n' ? 2 : 1;
        this.buffer = this.buffer.slice(end + width);
        this.line(line);
      }
    }

    line(line) {
      if (line === '') {
        if (this.data.length > 0) {
          this.onEvent(this.type || 'message', this.data.join('\n'));
        }
        this.type = '';
        this.data = [];
        return;
      }
      if (line.startsWith(':')) {
        return;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) {
        value = value.slice(1);
      }
      if (field === 'event') {
        this.type = value;
      } else if (field === 'data') {
        this.data.push(value);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Live numbers: one fetch() stream of "stats" events, reopened when the table's page or filter changes and, with
  // a growing back-off, when it breaks.

  const stats = {
    controller: null,
    retryTimer: null,
    retryMs: RETRY_FIRST_MS,
    limit: Number(body.dataset.pageSize) || 25,
    offset: 0,
    channel: '',
    matching: 0,

    start() {
      stats.stop();
      const controller = new AbortController();
      stats.controller = controller;
      const url = new URL(paths.events, document.baseURI);
      url.searchParams.set('limit', String(stats.limit));
      url.searchParams.set('offset', String(stats.offset));
      if (stats.channel) {
        url.searchParams.set('channel', stats.channel);
      }
      setLive('connecting', 'badge-wait');
      fetch(url, {
        headers: auth.headers({ Accept: 'text/event-stream' }),
        cache: 'no-store',
        signal: controller.signal,
      }).then(async (response) => {
        if (response.status === 401) {
          setLive('admin token needed', 'badge-bad');
          auth.ask(await errorText(response));
          return;
        }
        if (response.status === 403 || response.status === 400) {
          // will not fix itself: say why and stop
          setLive('refused', 'badge-bad');
          showMessage('banner', await errorText(response));
          return;
        }
        if (!response.ok) {
          throw new Error(await errorText(response));
        }
        setLive('live', 'badge-ok');
        showMessage('banner', '');
        stats.retryMs = RETRY_FIRST_MS;
        const parser = new EventStreamParser((type, data) => {
          if (type === 'stats') {
            render(JSON.parse(data));
          }
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) {
            break;
          }
          parser.push(value);
        }
        throw new Error('the gateway ended the stream');
      }).catch((error) => {
        if (controller.signal.aborted) {
          return;
        }
        setLive('offline, retrying', 'badge-bad');
        showMessage('banner', 'Live numbers interrupted: ' + error.message);
        stats.retryTimer = setTimeout(stats.start, stats.retryMs);
        stats.retryMs = Math.min(stats.retryMs * 2, RETRY_MAX_MS);
      });
    },

    stop() {
      clearTimeout(stats.retryTimer);
      if (stats.controller) {
        stats.controller.abort();
        stats.controller = null;
      }
    },
  };

  function setLive(text, badge) {
    const node = $('live-state');
    node.textContent = text;
    node.className = 'badge ' + badge;
  }

  function formatDuration(seconds) {
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    if (days > 0) {
      return days + 'd ' + hours + 'h';
    }
    if (hours > 0) {
      return hours + 'h ' + minutes + 'm';
    }
    return minutes + 'm ' + (seconds % 60) + 's';
  }

  function render(snapshot) {
    setText('instance-id', snapshot.instance_id);
    setText('uptime', formatDuration(snapshot.uptime_seconds));
    setText('stat-connections', snapshot.total_connections);
    setText('stat-channels', snapshot.channels);
    setText('stat-published-rate', snapshot.published_per_second);
    setText('stat-delivered-rate', snapshot.delivered_per_second);
    setText('stat-published', snapshot.messages_published);
    setText('stat-delivered', snapshot.events_delivered);
    setText('stat-slow', snapshot.slow_consumers_dropped);
    setText('stat-replays', snapshot.replays);
    setText('stat-gaps', snapshot.replay_gaps);
    setText('stat-rejected', snapshot.messages_rejected);
    setText('stat-append-failures', snapshot.append_failures);
    renderRates(snapshot);
    renderChannels(snapshot);
    renderComponents(snapshot);
    renderConnections(snapshot);
  }

  // the last 5 minutes of rates, one point per snapshot (one a second), drawn as two SVG polylines
  const RATE_POINTS = 300;
  const rates = { published: [], delivered: [] };

  function renderRates(snapshot) {
    rates.published.push(Number(snapshot.published_per_second) || 0);
    rates.delivered.push(Number(snapshot.delivered_per_second) || 0);
    for (const series of [rates.published, rates.delivered]) {
      if (series.length > RATE_POINTS) {
        series.shift();
      }
    }
    const peak = Math.max(1, ...rates.published, ...rates.delivered);
    const points = (series) => series.map((value, index) =>
      (RATE_POINTS - series.length + index) + ',' + (80 - (value / peak) * 76).toFixed(1)).join(' ');
    $('rates-published').setAttribute('points', points(rates.published));
    $('rates-delivered').setAttribute('points', points(rates.delivered));
    setText('rates-peak', Math.round(peak * 10) / 10);
  }

  function renderChannels(snapshot) {
    const rows = (snapshot.top_channels || []).map((entry) => {
      const row = element('tr');
      row.append(element('td', 'mono', entry.channel), element('td', '', entry.subscribers));
      return row;
    });
    if (rows.length === 0) {
      const row = element('tr');
      const cell = element('td', 'empty', 'No channel.');
      cell.colSpan = 2;
      row.append(cell);
      rows.push(row);
    }
    $('channels').replaceChildren(...rows);
  }

  function componentRow(part, name, state, healthy) {
    const row = element('tr');
    row.append(element('td', '', part), element('td', 'mono', name));
    const cell = element('td');
    cell.append(element('span', 'badge ' + (healthy ? 'badge-ok' : 'badge-bad'), state));
    row.append(cell);
    return row;
  }

  function renderComponents(snapshot) {
    const rows = [
      componentRow('source', snapshot.source.name, snapshot.source.state, snapshot.source.state === 'RUNNING'),
      componentRow('storage', snapshot.storage.name, snapshot.storage.available ? 'available' : 'unavailable',
        snapshot.storage.available),
    ];
    for (const plugin of snapshot.plugins) {
      rows.push(componentRow('plugin', plugin.id + ' ' + plugin.version, plugin.state,
        /^(STARTED|RUNNING|RESOLVED|LOADED)$/i.test(plugin.state)));
    }
    $('components').replaceChildren(...rows);
  }

  function renderConnections(snapshot) {
    stats.matching = snapshot.matching_connections;
    const rows = snapshot.connections.map((connection) => {
      const row = element('tr');
      row.append(
        element('td', '', connection.id),
        element('td', 'mono', (connection.channel_ids || [connection.channel_id]).join(', ')),
        element('td', '', new Date(connection.connected_at).toLocaleString()),
        element('td', 'mono', connection.client_ip),
        element('td', 'mono', connection.subject === null || connection.subject === undefined ? '–' : connection.subject));
      return row;
    });
    if (rows.length === 0) {
      const row = element('tr');
      const cell = element('td', 'empty', stats.channel ? 'No connection on this channel.' : 'No connection.');
      cell.colSpan = 5;
      row.append(cell);
      rows.push(row);
    }
    $('connections').replaceChildren(...rows);
    const first = snapshot.connections.length === 0 ? 0 : stats.offset + 1;
    const last = stats.offset + snapshot.connections.length;
    setText('page-info', first + '–' + last + ' of ' + stats.matching);
    $('page-prev').disabled = stats.offset === 0;
    $('page-next').disabled = last >= stats.matching;
  }

  $('filter-form').addEventListener('submit', (event) => {
    event.preventDefault();
    stats.channel = $('filter-channel').value.trim();
    stats.offset = 0;
    stats.start();
  });
  $('page-prev').addEventListener('click', () => {
    stats.offset = Math.max(0, stats.offset - stats.limit);
    stats.start();
  });
  $('page-next').addEventListener('click', () => {
    stats.offset += stats.limit;
    stats.start();
  });

  // ---------------------------------------------------------------------------------------------------------------
  // Test subscriber: a real EventSource. It only dispatches event types someone listens to, so it listens to the
  // standard ones, to those the user lists, and to every type sent with the form below (added to a live source too).

  const subscriber = {
    source: null,
    listened: new Set(),
    sentTypes: new Set(),

    typesWanted() {
      const listed = $('test-types').value.split(',').map((type) => type.trim()).filter((type) => type !== '');
      return [...ALWAYS_LISTENED, ...listed, ...subscriber.sentTypes];
    },

    listen(type) {
      if (!subscriber.source || subscriber.listened.has(type)) {
        return;
      }
      subscriber.listened.add(type);
      subscriber.source.addEventListener(type, (event) => logEvent(type, event));
      setText('test-listened', [...subscriber.listened].join(', '));
    },

    connect(channel) {
      subscriber.disconnect();
      const url = new URL(paths.connect, document.baseURI);
      url.searchParams.set('channel_id', channel);
      const source = new EventSource(url);
      subscriber.source = source;
      subscriber.listened = new Set();
      subscriber.typesWanted().forEach(subscriber.listen);
      setState('connecting', 'badge-wait');
      source.addEventListener('open', () => {
        setState('open', 'badge-ok');
        showMessage('test-error', '');
      });
      source.addEventListener('error', () => {
        if (source.readyState === EventSource.CLOSED) {
          subscriber.disconnect();
          setState('closed', 'badge-bad');
          showMessage('test-error', 'The gateway refused the subscription (check the channel id, and the '
            + 'authenticator if one is configured).');
        } else {
          setState('reconnecting', 'badge-wait');
        }
      });
      $('test-connect').disabled = true;
      $('test-disconnect').disabled = false;
    },

    disconnect() {
      if (subscriber.source) {
        subscriber.source.close();
        subscriber.source = null;
      }
      setState('disconnected', 'badge-off');
      $('test-connect').disabled = false;
      $('test-disconnect').disabled = true;
    },
  };

  function setState(text, badge) {
    const node = $('test-state');
    node.textContent = text;
    node.className = 'badge ' + badge;
  }

  function logEvent(type, event) {
    const item = element('li', 'type-' + type.replace(/[^a-zA-Z0-9_-]/g, '_'));
    item.append(
      element('span', 'time', new Date().toLocaleTimeString()),
      element('span', 'type', type),
      element('span', 'id', event.lastEventId ? 'last-event-id ' + event.lastEventId : 'no last-event-id'),
      element('pre', 'data', event.data));
    const list = $('test-events');
    list.prepend(item);
    while (list.childElementCount > MAX_LOGGED_EVENTS) {
      list.lastElementChild.remove();
    }
  }

  $('test-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const channel = $('test-channel').value.trim();
    if (!channel) {
      showMessage('test-error', 'Enter a channel id.');
      return;
    }
    subscriber.connect(channel);
  });
  $('test-types').addEventListener('change', () => subscriber.typesWanted().forEach(subscriber.listen));
  $('test-disconnect').addEventListener('click', () => subscriber.disconnect());
  $('test-clear').addEventListener('click', () => $('test-events').replaceChildren());

  // ---------------------------------------------------------------------------------------------------------------
  // Send form: POST /api/send. Errors are shown next to the form.

  $('send-broadcast').addEventListener('change', () => {
    $('send-channel').disabled = $('send-broadcast').checked;
  });

  $('send-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage('send-error', '');
    showMessage('send-result', '');
    const broadcast = $('send-broadcast').checked;
    const channel = $('send-channel').value.trim();
    const type = $('send-type').value.trim() || 'message';
    const text = $('send-data').value;
    const id = $('send-id').value.trim();
    if (!broadcast && !channel) {
      showMessage('send-error', 'Enter a channel, or tick "Broadcast to every channel".');
      return;
    }
    let data = text;
    if (document.querySelector('input[name=format]:checked').value === 'json') {
      try {
        data = JSON.parse(text);
      } catch (error) {
        showMessage('send-error', 'Data is not valid JSON (' + error.message + '); choose "Text" to send it as is.');
        return;
      }
    }
    const message = { channel_id: broadcast ? null : channel, event_type: type, data };
    if (id) {
      message.id = id;
    }
    // listen before sending: the event may arrive before the response does
    subscriber.sentTypes.add(type);
    subscriber.listen(type);
    $('send-submit').disabled = true;
    try {
      const response = await fetch(new URL(paths.send, document.baseURI), {
        method: 'POST',
        headers: auth.headers({ 'Content-Type': 'application/json' }),
        body: JSON.stringify(message),
        cache: 'no-store',
      });
      if (response.status === 401) {
        const reason = await errorText(response);
        showMessage('send-error', reason);
        auth.ask(reason);
        return;
      }
      if (!response.ok) {
        showMessage('send-error', response.status + ': ' + await errorText(response));
        return;
      }
      const reply = await response.json();
      let summary = 'Sent to ' + reply.sent_count + ' subscriber' + (reply.sent_count === 1 ? '' : 's')
        + (reply.stream_id ? ', stream id ' + reply.stream_id : ', not stored (no stream id)');
      if (reply.warning) {
        summary += ' — ' + reply.warning;
      }
      showMessage('send-result', summary);
    } catch (error) {
      showMessage('send-error', 'Could not reach the gateway: ' + error.message);
    } finally {
      $('send-submit').disabled = false;
    }
  });

  auth.refresh();
  stats.start();
})();
