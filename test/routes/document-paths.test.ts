import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { multipart, startTestServer, waitForEnd, type TestServer } from '../helpers/test-server.js';

/** The seed's document routes name files relative to the data folders, never by server path. */
describe('document routes show no server paths', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({}, { fake: fakeBackend() });
  });
  afterAll(async () => t?.close());

  it('answers /upload, /documents, /markdown and /markdown-files with input/… and output/… names', async () => {
    const up = multipart({ name: 'paths.pdf', data: textPdf([['Where do files live'], ['Second page']]) });
    const uploaded = (await t.app.inject({ method: 'POST', url: '/upload', payload: up.payload, headers: up.headers })).json();
    expect(uploaded).toMatchObject({ filename: 'paths.pdf', file_path: 'input/paths.pdf' });
    const conv = multipart(null, { filename: 'paths.pdf' });
    const id = (await t.app.inject({ method: 'POST', url: '/convert', payload: conv.payload, headers: conv.headers })).json().conversion_id;
    expect((await waitForEnd(t.app, id)).status).toBe('completed');

    const replies = await Promise.all(['/documents', '/markdown/paths', '/markdown/paths?page_no=1', '/markdown-files/paths'].map(async (url) => {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      return res;
    }));
    for (const res of replies) {
      expect(res.body).not.toContain(t.root);
      expect(res.body).not.toMatch(/"(file_path|markdown_path|path|with_header_footer)":"\//);
    }
    const [documents, whole, page, files] = replies.map((r) => r.json());
    expect(documents.documents[0]).toMatchObject({ file_path: 'input/paths.pdf', markdown_path: 'output/paths/paths_page_0_nohf.md' });
    expect(whole.markdown_path).toBe('output/paths/paths.md');
    expect(page.markdown_path).toBe('output/paths/paths_page_1_nohf.md');
    expect(files.files[1]).toMatchObject({ path: 'output/paths/paths_page_1_nohf.md', with_header_footer: 'output/paths/paths_page_1.md' });
  });
});
