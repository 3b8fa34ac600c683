/**
 * A small Markdown renderer for a safe subset, for text that strangers write and the public
 * reads (incident updates, post-mortems). Safety comes from the order of work:
 * 1. every character that means something in HTML is escaped before anything else, so no
 *    tag or attribute of the author's can survive;
 * 2. the only tags added are fixed strings (p, br, strong, em, code, pre, ul, ol, li, h3–h5, a);
 * 3. the only attribute is a link's href, and only for a URL that literally starts with
 *    http://, https:// or mailto: (after undoing our own escaping, never an author's entity),
 *    holds no space, quote or angle bracket, and is escaped again for the attribute.
 * Anything else — raw HTML, javascript:/data:/vbscript: links, entity- or space-obfuscated
 * schemes, protocol-relative URLs — stays visible as plain text.
 */

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const UNESC: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}

/** Undoes escapeHtml only (one pass, so "&amp;lt;" becomes "&lt;", not "<"). */
function unescapeOwn(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => UNESC[m]!);
}

/** A link target we are willing to emit, or null. `raw` is the author's text, unescaped. */
export function safeUrl(raw: string): string | null {
  if (raw.length > 2048 || /[\s\u0000-\u001f\u007f"'<>`\\]/.test(raw)) return null;
  const lower = raw.toLowerCase();
  if (lower.startsWith('mailto:')) return /^mailto:[^@/:]+@[^@/:]+$/i.test(raw) ? raw : null;
  if (!lower.startsWith('http://') && !lower.startsWith('https://')) return null;
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname ? raw : null;
  } catch {
    return null;
  }
}

const balanced = (s: string) => (s.match(/<strong>/g) ?? []).length === (s.match(/<\/strong>/g) ?? []).length;

/** Emphasis on already-escaped text: **bold** first, then *italic* / _italic_ (kept well nested). */
function emphasis(s: string): string {
  return s
    .replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*\w])/g, (m, pre: string, inner: string) => (balanced(inner) ? `${pre}<em>${inner}</em>` : m))
    .replace(/(^|[^\w])_(?=\S)([^_\n]*?\S)_(?!\w)/g, (m, pre: string, inner: string) => (balanced(inner) ? `${pre}<em>${inner}</em>` : m));
}

/** Inline formatting of one escaped line: code spans and links are set aside as placeholders first. */
function inline(escaped: string): string {
  const held: string[] = [];
  const hold = (html: string) => `\u0000${held.push(html) - 1}\u0000`;
  let s = escaped.replace(/`([^`\n]+)`/g, (_m, code: string) => hold(`<code>${code}</code>`));
  s = s.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (m, text: string, href: string) => {
    const url = safeUrl(unescapeOwn(href));
    if (!url) return m;
    return hold(`<a href="${escapeHtml(url)}" rel="nofollow noopener noreferrer">${emphasis(text)}</a>`);
  });
  s = emphasis(s);
  return s.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => held[Number(i)]!);
}

type Block = { kind: 'p' | 'ul' | 'ol' | 'pre' | 'h'; lines: string[]; level?: number };

const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/;
const HEADING = /^(#{1,3})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s*```/;

/** Splits the text into blocks: fenced code, headings, lists, and paragraphs. */
function blocks(lines: string[]): Block[] {
  const out: Block[] = [];
  let cur: Block | null = null;
  const flush = () => {
    if (cur) out.push(cur);
    cur = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FENCE.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !FENCE.test(lines[i]!); i++) code.push(lines[i]!);
      out.push({ kind: 'pre', lines: code });
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      flush();
      out.push({ kind: 'h', lines: [h[2]!], level: h[1]!.length });
      continue;
    }
    const b = BULLET.exec(line);
    const n = b ? null : NUMBERED.exec(line);
    const kind = b ? 'ul' : n ? 'ol' : 'p';
    const text = b ? b[1]! : n ? n[1]! : line;
    const current = cur as Block | null;
    if (current && current.kind === kind) current.lines.push(text);
    else if (current && kind === 'p' && current.kind !== 'p') current.lines[current.lines.length - 1] += ` ${line.trim()}`; // a list item's continuation
    else {
      flush();
      cur = { kind, lines: [text] };
    }
  }
  flush();
  return out;
}

/** Renders the safe Markdown subset to HTML. */
export function renderMarkdown(source: string): string {
  const text = escapeHtml(source.replace(/\r\n?/g, '\n').replace(/\u0000/g, ''));
  return blocks(text.split('\n'))
    .map((b) => {
      switch (b.kind) {
        case 'pre':
          return `<pre><code>${b.lines.join('\n')}</code></pre>`;
        case 'h':
          return `<h${b.level! + 2}>${inline(b.lines[0]!)}</h${b.level! + 2}>`;
        case 'ul':
        case 'ol':
          return `<${b.kind}>${b.lines.map((l) => `<li>${inline(l)}</li>`).join('')}</${b.kind}>`;
        default:
          return `<p>${b.lines.map(inline).join('<br>')}</p>`;
      }
    })
    .join('\n');
}

/** The Markdown as plain text (for feeds and e-mail subjects): the source, trimmed and shortened. */
export function markdownExcerpt(source: string, max = 300): string {
  const flat = source.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
