import { describe, expect, it } from 'vitest';
import { renderMarkdown, safeUrl } from '../../src/lib/markdown.ts';

const REL = 'rel="nofollow noopener noreferrer"';

describe('safe Markdown', () => {
  it('renders paragraphs, line breaks, bold, italic and inline code', () => {
    expect(renderMarkdown('We are **investigating** the *API*.\nMore soon.\n\nSecond `GET /x` para')).toBe(
      '<p>We are <strong>investigating</strong> the <em>API</em>.<br>More soon.</p>\n<p>Second <code>GET /x</code> para</p>',
    );
    expect(renderMarkdown('_quiet_ but snake_case_name stays')).toBe('<p><em>quiet</em> but snake_case_name stays</p>');
  });

  it('renders nested emphasis well nested, and leaves crossed emphasis alone', () => {
    expect(renderMarkdown('**bold *and italic* bold**')).toBe('<p><strong>bold <em>and italic</em> bold</strong></p>');
    expect(renderMarkdown('*italic **and bold** italic*')).toBe('<p><em>italic <strong>and bold</strong> italic</em></p>');
    expect(renderMarkdown('**a *b** c*')).toBe('<p><strong>a *b</strong> c*</p>');
  });

  it('renders lists, headings up to ### and fenced code', () => {
    expect(renderMarkdown('- one\n- **two**\n\n1. first\n2. second')).toBe('<ul><li>one</li><li><strong>two</strong></li></ul>\n<ol><li>first</li><li>second</li></ol>');
    expect(renderMarkdown('# Big\n### Small\n#### Not a heading')).toBe('<h3>Big</h3>\n<h5>Small</h5>\n<p>#### Not a heading</p>');
    expect(renderMarkdown('```\n<b>x</b> **not bold**\n```')).toBe('<pre><code>&lt;b&gt;x&lt;/b&gt; **not bold**</code></pre>');
  });

  it('renders http, https and mailto links with rel nofollow noopener noreferrer', () => {
    expect(renderMarkdown('See [the docs](https://example.com/a?b=1&c=2).')).toBe(
      `<p>See <a href="https://example.com/a?b=1&amp;c=2" ${REL}>the docs</a>.</p>`,
    );
    expect(renderMarkdown('[mail us](mailto:ops@example.com) or [**site**](http://example.com)')).toBe(
      `<p><a href="mailto:ops@example.com" ${REL}>mail us</a> or <a href="http://example.com" ${REL}><strong>site</strong></a></p>`,
    );
  });

  it('never lets a script tag or an img onerror through', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(renderMarkdown('<img src=x onerror="alert(1)">')).toBe('<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>');
    expect(renderMarkdown('**<svg onload=alert(1)>**')).toBe('<p><strong>&lt;svg onload=alert(1)&gt;</strong></p>');
  });

  it('renders javascript:, data:, vbscript: and obfuscated links as plain text', () => {
    expect(renderMarkdown('[x](javascript:alert(1))')).toBe('<p>[x](javascript:alert(1))</p>');
    expect(renderMarkdown('[x](JaVaScRiPt:alert(1))')).toBe('<p>[x](JaVaScRiPt:alert(1))</p>');
    expect(renderMarkdown('[x](java&#x73;cript:alert(1))')).toBe('<p>[x](java&amp;#x73;cript:alert(1))</p>');
    expect(renderMarkdown('[x](&#106;avascript:alert(1))')).toBe('<p>[x](&amp;#106;avascript:alert(1))</p>');
    expect(renderMarkdown('[x](data:text/html;base64,PHNjcmlwdD4=)')).toBe('<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>');
    expect(renderMarkdown('[x](vbscript:msgbox)')).toBe('<p>[x](vbscript:msgbox)</p>');
    expect(renderMarkdown('[x](//evil.example/)')).toBe('<p>[x](//evil.example/)</p>');
    expect(renderMarkdown('[x]( javascript:alert(1))')).toBe('<p>[x]( javascript:alert(1))</p>');
    expect(renderMarkdown('[x](https:\\\\evil.example)')).toBe('<p>[x](https:\\\\evil.example)</p>');
    expect(renderMarkdown('[x](\tjavascript:alert(1))')).not.toContain('<a');
    expect(renderMarkdown('<a href="javascript:alert(1)">x</a>')).toBe('<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>');
    expect(safeUrl('https://example.com')).toBe('https://example.com');
    expect(safeUrl('mailto:a@b.c?subject=x"')).toBeNull();
  });

  it('cannot inject an attribute through a quote in a link URL', () => {
    expect(renderMarkdown('[x](https://example.com/" onmouseover="alert(1))')).toBe('<p>[x](https://example.com/&quot; onmouseover=&quot;alert(1))</p>');
    expect(renderMarkdown('[x](https://example.com/"onmouseover="alert(1))')).toBe('<p>[x](https://example.com/&quot;onmouseover=&quot;alert(1))</p>');
    expect(renderMarkdown("[x](https://example.com/'onmouseover='alert(1))")).toBe('<p>[x](https://example.com/&#39;onmouseover=&#39;alert(1))</p>');
  });

  it('htmx attributes stay text', () => {
    const out = renderMarkdown('<div hx-get="/logout" hx-trigger="load">x</div> <p data-hx-post="/x">y</p>');
    expect(out).toBe('<p>&lt;div hx-get=&quot;/logout&quot; hx-trigger=&quot;load&quot;&gt;x&lt;/div&gt; &lt;p data-hx-post=&quot;/x&quot;&gt;y&lt;/p&gt;</p>');
    expect(out).not.toMatch(/<[^>]*hx-/);
    expect(renderMarkdown('[hx-get="/x"](https://example.com)')).toBe(`<p><a href="https://example.com" ${REL}>hx-get=&quot;/x&quot;</a></p>`);
  });
});
