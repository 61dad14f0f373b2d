// ?gateway=<origin>&count=N: N EventSources, one per channel many-0 … many-(N-1), as a page following many things does.
// window.opened[i] is true once source i is open; window.received[i] lists the data it got.
const params = new URLSearchParams(location.search);
const gateway = params.get('gateway');
const count = Number(params.get('count'));
window.opened = [];
window.received = [];
window.sources = [];
for (let i = 0; i < count; i++) {
  window.opened.push(false);
  window.received.push([]);
  const source = new EventSource(gateway + '/sse/connect?channel_id=many-' + i);
  source.addEventListener('open', () => {
    window.opened[i] = true;
    document.getElementById('open').textContent = String(window.opened.filter(Boolean).length);
  });
  source.addEventListener('note', (event) => window.received[i].push(event.data));
  window.sources.push(source);
}
