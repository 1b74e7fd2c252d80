// pagemill web page: upload, follow every conversion over one WebSocket, cancel, download, view pages.
// Plain browser JavaScript, no build and no CDN. Text from the server is only ever set as textContent.

const $ = (id) => document.getElementById(id);
const rows = new Map(); // conversion id -> { record, tr }
const FORMATS = ['txt', 'md', 'json', 'hocr', 'alto', 'html', 'chunks', 'pdf', 'pdfa'];
/** File name endings that are not the format's name (as the server names the downloads). */
const ENDINGS = { chunks: 'chunks.jsonl', pdfa: 'pdfa.pdf' };

const keyInput = $('api-key');
keyInput.value = localStorage.getItem('pagemill-api-key') ?? '';
keyInput.addEventListener('change', () => {
  localStorage.setItem('pagemill-api-key', keyInput.value.trim());
  connect();
  loadLanguages();
});
const apiKey = () => keyInput.value.trim();
// Only the WebSocket carries the key in its URL (browsers cannot set its headers); the server
// redacts it from logs. Everything else sends the X-API-Key header.
const withKey = (url) => (apiKey() ? `${url}${url.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(apiKey())}` : url);
const keyHeaders = () => (apiKey() ? { 'x-api-key': apiKey() } : {});

/** A binary resource fetched with the key header, as an object URL (for images and downloads). */
async function blobUrl(url) {
  const res = await fetch(url, { headers: keyHeaders() });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return URL.createObjectURL(await res.blob());
}

/** Downloads through fetch when a key is set, so the key never sits in a link. */
async function download(e) {
  if (!apiKey()) return;
  e.preventDefault();
  const a = e.currentTarget;
  try {
    const save = Object.assign(document.createElement('a'), { href: await blobUrl(a.href), download: a.download });
    save.click();
    setTimeout(() => URL.revokeObjectURL(save.href), 60_000);
  } catch (err) {
    alert(err.message);
  }
}

async function api(url, init = {}) {
  const res = await fetch(url, { ...init, headers: { ...(init.headers ?? {}), ...keyHeaders() } });
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new Error(body?.detail ?? `HTTP ${res.status}`);
  return body;
}

// ---- submitting ----------------------------------------------------------------------------

const drop = $('drop');
const picker = $('files');
drop.addEventListener('click', () => picker.click());
drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') picker.click(); });
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  submitFiles([...e.dataTransfer.files]);
});
picker.addEventListener('change', () => {
  submitFiles([...picker.files]);
  picker.value = '';
});

/** The options every submission carries, from the controls above the list. */
function optionsForm() {
  const form = new FormData();
  form.append('prompt_mode', $('prompt_mode').value);
  form.append('lang', $('lang').value || 'eng');
  form.append('priority', $('priority').value);
  if ($('pages').value.trim()) form.append('pages', $('pages').value.trim());
  const pdfs = [...($('want-pdf').checked ? ['pdf'] : []), ...($('want-pdfa').checked ? ['pdfa'] : [])];
  form.append('formats', ['txt', 'md', 'json', 'hocr', 'alto', 'html', 'chunks', ...pdfs].join(','));
  return form;
}

async function submit(form, label) {
  try {
    const accepted = await api('/convert', { method: 'POST', body: form });
    await refresh(accepted.conversion_id);
    return true;
  } catch (err) {
    $('submit-error').textContent = `${label}: ${err.message}`;
    return false;
  }
}

async function submitFiles(files) {
  $('submit-error').textContent = '';
  for (const file of files) {
    const form = optionsForm();
    form.append('file', file, file.name);
    await submit(form, file.name);
  }
}

// A document by URL: the server downloads it (public addresses only, unless its operator allows more).
$('url-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('submit-error').textContent = '';
  const url = $('source-url').value.trim();
  const form = optionsForm();
  form.append('source_url', url);
  if (await submit(form, url)) $('source-url').value = '';
});

// ---- the list ------------------------------------------------------------------------------

function cell(tr, index) {
  return tr.children[index];
}

function render(record) {
  let entry = rows.get(record.id);
  if (!entry) {
    const tr = document.createElement('tr');
    tr.dataset.id = record.id;
    for (let i = 0; i < 6; i++) tr.appendChild(document.createElement('td'));
    cell(tr, 0).className = 'file';
    cell(tr, 2).innerHTML = '<span class="bar"><div></div></span><span class="pct"></span>';
    cell(tr, 4).className = 'results';
    $('conversions').tBodies[0].prepend(tr);
    entry = { record, tr };
    rows.set(record.id, entry);
  }
  entry.record = { ...entry.record, ...record };
  const r = entry.record;
  const tr = entry.tr;
  tr.className = `state-${r.status}`;
  cell(tr, 0).textContent = r.filename;
  cell(tr, 0).title = r.filename;
  const pages = r.total_pages ? ` · ${r.pages_completed + r.pages_failed}/${r.total_pages} pages` : '';
  cell(tr, 1).textContent = `${r.status}${pages}${r.error_code ? ` (${r.error_code})` : ''}`;
  cell(tr, 1).title = r.error ?? r.message ?? '';
  tr.querySelector('.bar > div').style.width = `${r.progress}%`;
  tr.querySelector('.pct').textContent = `${r.progress}%`;
  cell(tr, 3).textContent = r.status === 'processing' && r.estimated_seconds_remaining != null ? `${r.estimated_seconds_remaining} s` : '';

  const results = cell(tr, 4);
  results.replaceChildren();
  if (r.status === 'completed') {
    for (const f of FORMATS.filter((f) => (r.formats ?? FORMATS).includes(f))) {
      const a = document.createElement('a');
      a.href = `/conversions/${r.id}/result?format=${f}`;
      a.addEventListener('click', download);
      a.textContent = f;
      a.download = `${r.output_stem}.${ENDINGS[f] ?? f}`;
      results.appendChild(a);
    }
    // Everything in one download: every format, the page images in the layout modes, a manifest with checksums.
    const zip = document.createElement('a');
    zip.href = `/conversions/${r.id}/archive${r.prompt_mode === 'prompt_ocr' ? '' : '?previews=true'}`;
    zip.addEventListener('click', download);
    zip.textContent = 'zip';
    zip.title = 'all formats and a manifest with SHA-256 checksums';
    zip.download = `${r.output_stem}.zip`;
    results.appendChild(zip);
    const view = document.createElement('button');
    view.type = 'button';
    view.textContent = 'View';
    view.addEventListener('click', () => openViewer(r));
    results.appendChild(view);
  }
  const actions = cell(tr, 5);
  actions.replaceChildren();
  if (r.status === 'pending' || r.status === 'processing') {
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.textContent = 'Cancel';
    cancel.addEventListener('click', () => api(`/conversions/${r.id}/cancel`, { method: 'POST' }).then(render).catch((e) => alert(e.message)));
    actions.appendChild(cancel);
  }
  $('empty').hidden = rows.size > 0;
}

async function refresh(id) {
  try {
    render(await api(`/conversions/${id}`));
  } catch { /* gone, or not ours */ }
}

function onMessage(m) {
  if (m.type === 'snapshot') {
    for (const r of [...m.conversions].reverse()) render(r);
    showPool(m.pool);
    return;
  }
  if (m.type === 'pool') return showPool(m);
  if (!rows.has(m.conversion_id)) return void refresh(m.conversion_id);
  const update = { id: m.conversion_id, status: m.status, progress: m.progress, message: m.message };
  if (m.status === 'processing') Object.assign(update, { total_pages: m.total_pages, pages_completed: m.pages_completed, pages_failed: m.pages_failed, estimated_seconds_remaining: m.estimated_seconds_remaining });
  if (m.status === 'error') Object.assign(update, { error: m.error, error_code: m.error_code });
  render(update);
  if (m.status === 'completed') refresh(m.conversion_id);
}

function showPool(p) {
  $('pool').textContent = `${p.busy_workers}/${p.num_workers} workers busy · ${p.pages_queued} pages queued · ${p.active_tasks} active, ${p.queue_size} waiting`;
}

// ---- one WebSocket for everything ------------------------------------------------------------

let socket;
let retry = 500;
function connect() {
  socket?.close();
  const url = withKey(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/conversions`);
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => { retry = 500; };
  ws.onmessage = (e) => onMessage(JSON.parse(e.data));
  ws.onclose = () => {
    if (socket !== ws) return;
    $('pool').textContent = 'disconnected; reconnecting…';
    setTimeout(connect, (retry = Math.min(retry * 2, 10_000)));
  };
}

// ---- the page viewer -------------------------------------------------------------------------

let viewing = null;
async function openViewer(record) {
  viewing = { record, pages: [], index: 0 };
  const json = await api(`/conversions/${record.id}/result?format=json`).catch(() => null);
  viewing.pages = json?.pages?.map((p) => p.page_no) ?? Array.from({ length: record.total_pages ?? 1 }, (_, i) => i + 1);
  $('viewer').hidden = false;
  $('viewer-title').textContent = record.filename;
  showPage();
  $('viewer').scrollIntoView({ behavior: 'smooth' });
}

async function showPage() {
  const { record, pages, index } = viewing;
  const pageNo = pages[index];
  $('page-label').textContent = `page ${pageNo} (${index + 1} of ${pages.length})`;
  $('prev').disabled = index === 0;
  $('next').disabled = index === pages.length - 1;
  const img = $('page-image');
  img.hidden = record.prompt_mode === 'prompt_ocr';
  if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
  img.src = await blobUrl(`/image/${encodeURIComponent(record.output_stem)}?page_no=${pageNo - 1}`).catch(() => '');
  const page = await api(`/conversions/${record.id}/pages/${pageNo}`).catch((e) => ({ text: e.message }));
  $('page-text').textContent = page.status === 'failed' ? `This page failed: ${page.error?.code}` : page.text || '(no text on this page)';
}

$('prev').addEventListener('click', () => { viewing.index--; showPage(); });
$('next').addEventListener('click', () => { viewing.index++; showPage(); });
$('close-viewer').addEventListener('click', () => { $('viewer').hidden = true; });

// ---- start -------------------------------------------------------------------------------------

async function loadLanguages() {
  const select = $('lang');
  try {
    const { languages } = await api('/languages');
    select.replaceChildren(...languages.map((l) => Object.assign(document.createElement('option'), { value: l, textContent: l, selected: l === 'eng' })));
  } catch {
    select.replaceChildren(Object.assign(document.createElement('option'), { value: 'eng', textContent: 'eng' }));
  }
}

loadLanguages();
connect();
