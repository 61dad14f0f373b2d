// A site whose backend set the gateway's token cookie (here: the page itself, for the test) and that subscribes
// with credentials: ?gateway=<origin>&channel=<id>&token=<jwt>&credentials=<true|false>.
(() => {
  'use strict';
  const params = new URLSearchParams(location.search);
  // a cookie is per host, not per port: the gateway on another port of this host receives it
  document.cookie = 'sse_token=' + params.get('token') + '; path=/; SameSite=Lax';
  const url = new URL('/sse/connect', params.get('gateway'));
  url.searchParams.set('channel_id', params.get('channel'));

  window.received = [];
  window.opens = 0;
  window.errors = 0;
  const state = document.getElementById('state');
  const source = new EventSource(url, { withCredentials: params.get('credentials') === 'true' });
  window.source = source;
  ['message', 'note', 'expired'].forEach((type) => source.addEventListener(type, (event) => {
    window.received.push({ type: event.type, data: event.data });
  }));
  source.addEventListener('open', () => {
    window.opens++;
    state.textContent = 'open';
  });
  source.addEventListener('error', () => {
    window.errors++;
    state.textContent = source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting';
  });
})();
