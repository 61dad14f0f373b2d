// Subscribes with a plain browser EventSource, as a site using the gateway would, and records every event for the
// test: ?gateway=<origin>&channel=<id>&types=<extra,event,types> (channel repeated: one connection to several).
(() => {
  'use strict';
  const params = new URLSearchParams(location.search);
  const url = new URL('/sse/connect', params.get('gateway'));
  params.getAll('channel').forEach((channel) => url.searchParams.append('channel_id', channel));
  const types = ['message', 'gap', 'subscribed', ...(params.get('types') || '').split(',').filter((type) => type !== '')];

  window.received = [];
  window.opens = 0;
  window.errors = 0;
  const state = document.getElementById('state');
  const source = new EventSource(url);
  window.source = source;

  const record = (event) => {
    window.received.push({ type: event.type, data: event.data, lastEventId: event.lastEventId });
    const item = document.createElement('li');
    item.textContent = event.type + ' ' + event.lastEventId + ' ' + event.data;
    document.getElementById('log').append(item);
  };
  types.forEach((type) => source.addEventListener(type, record));
  source.addEventListener('open', () => {
    window.opens++;
    state.textContent = 'open';
  });
  source.addEventListener('error', () => {
    window.errors++;
    state.textContent = source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting';
  });
})();
