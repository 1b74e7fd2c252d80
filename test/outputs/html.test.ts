import { describe, expect, it } from 'vitest';
import { HTML_CSP, htmlFailedPage, htmlFooter, htmlHeader, htmlPage } from '../../src/outputs/html.js';
import { layoutPage, SPANNED_TABLE } from '../fixtures/layout-page.js';

const page = layoutPage(2, [
  { lines: ['Results <b>'], top: 100, size: 40 },
  { lines: ['The "first" paragraph & its <script>alert(1)</script> text', 'runs on to a second line here.'], top: 200 },
  { lines: ['- one bullet', '- another bullet'], top: 300 },
  { lines: ['1. first step', '2. second step'], top: 400 },
  { lines: ['Name Scores', 'Ann 1 2', '3 4'], top: 600, category: 'Table', table: SPANNED_TABLE },
  { lines: ['Name Value', 'x 1'], top: 800, category: 'Table' },
]);

describe('the HTML document', () => {
  const html = htmlHeader('a <title>.pdf', 'c"1') + htmlPage(page) + htmlFailedPage(3, 'render_failed') + htmlFooter();

  it('escapes every text and attribute and carries no script', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son\w+=/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<title>a &lt;title&gt;.pdf</title>');
    expect(html).toContain('data-conversion-id="c&quot;1"');
    expect(html).toContain('Scores &lt;a&amp;b&gt;');
  });

  it('forbids everything but its own stylesheet in its Content-Security-Policy', async () => {
    expect(HTML_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`);
    const style = /<style>(.*?)<\/style>/s.exec(html)![1]!;
    const { createHash } = await import('node:crypto');
    expect(HTML_CSP).toContain(createHash('sha256').update(style).digest('base64'));
  });

  it('has headings, paragraphs, lists and tables, each with its page and box', () => {
    expect(html).toMatch(/<h[12] data-page="2" data-bbox="100,100,\d+,140">Results &lt;b&gt;<\/h[12]>/);
    expect(html).toMatch(/<p data-page="2" data-bbox="100,200,\d+,236">The &quot;first&quot; paragraph/);
    expect(html).toMatch(/<ul>\n<li data-page="2" data-bbox="[\d,]+">one bullet<\/li>\n<li data-page="2" data-bbox="[\d,]+">another bullet<\/li>\n<\/ul>/);
    expect(html).toMatch(/<ol>\n<li value="1" data-page="2"[^>]*>first step<\/li>\n<li value="2" data-page="2"[^>]*>second step<\/li>\n<\/ol>/);
    expect(html).toContain('<section class="page" id="page-2" data-page="2" data-width="1700" data-height="2200" data-dpi="200" data-source="text-layer">');
    expect(html).toContain('<section class="page" id="page-3" data-page="3"><p class="failed">Page 3 could not be read (render_failed).</p></section>');
  });

  it('renders a found table with header cells and spans, and one without a grid as its lines', () => {
    expect(html).toContain('<thead><tr><th data-page="2" data-bbox="100,600,300,620">Name</th><th colspan="2" data-page="2" data-bbox="300,600,700,620">Scores &lt;a&amp;b&gt;</th></tr></thead>');
    expect(html).toContain('<tr><td rowspan="2" data-page="2" data-bbox="100,620,300,660">Ann</td><td data-page="2" data-bbox="300,620,500,640">1</td>');
    expect(html).toContain('<tr><td data-page="2" data-bbox="300,640,500,660">3</td><td data-page="2" data-bbox="500,640,700,660">4</td></tr></tbody></table>');
    expect(html).toMatch(/<pre class="table" data-page="2" data-bbox="[\d,]+">Name Value\nx 1<\/pre>/);
  });

  it('breaks pages when printed', () => {
    expect(html).toContain('section.page+section.page{break-before:page}');
  });
});
