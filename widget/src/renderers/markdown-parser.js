/**
 * Markdown, the subset Amazon Connect chat renders, parsed into a small syntax tree (no DOM, no HTML):
 *
 * - blocks: paragraphs, bulleted and numbered lists (nested by indentation), fenced code blocks (``` or ~~~);
 * - inline: *emphasis* and _emphasis_, **strong** and __strong__, `code`, [links](https://…), <https://…>
 *   and bare http(s) addresses, backslash escapes, and line breaks (every newline in a paragraph is one, as a
 *   chat message is written line by line).
 *
 * Anything else (HTML tags, headings, tables, images) stays text. Links keep only http, https and mailto
 * addresses; any other link is left as the text it was written as. Hostile input cannot stall it: closers are
 * looked up in indexes built once per paragraph (sorted, by binary search), scans ahead are bounded, nesting is
 * capped, and nothing backtracks.
 *
 * Tree: blocks ``{type: "paragraph", children}``, ``{type: "list", ordered, start, items: [blocks]}``,
 * ``{type: "code", value}``; inline ``{type: "text", value}``, ``{type: "em" | "strong", children}``,
 * ``{type: "code", value}``, ``{type: "link", href, children}``, ``{type: "break"}``.
 */

import { safeHref } from "./links.js";

/** Deeper lists and emphasis than this are left as text. */
export const MAX_DEPTH = 8;
/** A link's address is at most this long (longer ones are text). */
const MAX_URL = 2048;

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const ITEM = /^( {0,3})([-*+]|(\d{1,9})[.)])(?:([ \t]+)(.*))?$/;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const WORD = /[\p{L}\p{N}]/u;
const SPACE = /\s/;
const AUTOLINK = /^[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*$/;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
/** Where something other than plain text may start. */
const SPECIAL = /[\\`*_[<\n]|https?:\/\//g;

// ----------------------------------------------------------------------------------------------- blocks

/** Parse ``source`` into blocks. */
export function parseMarkdown(source) {
  const text = String(source == null ? "" : source).replace(/\r\n?/g, "\n");
  return parseBlocks(text.split("\n"), 0);
}

function isBlank(line) {
  return !line.trim();
}

function indentOf(line) {
  let n = 0;
  while (n < line.length && (line[n] === " " || line[n] === "\t")) n += line[n] === "\t" ? 4 - (n % 4) : 1;
  return n;
}

/** Remove ``width`` columns of indentation (tabs count to the next multiple of four). */
function dedent(line, width) {
  let column = 0;
  let index = 0;
  while (index < line.length && column < width && (line[index] === " " || line[index] === "\t")) {
    column += line[index] === "\t" ? 4 - (column % 4) : 1;
    index += 1;
  }
  return line.slice(index);
}

function listItem(line, depth) {
  if (depth >= MAX_DEPTH) return null;
  const match = ITEM.exec(line);
  if (!match) return null;
  const ordered = match[3] !== undefined;
  const spaces = match[4] ? Math.min(indentOf(match[4]), 4) : 1;
  return {
    ordered,
    marker: ordered ? match[2].slice(-1) : match[2],
    number: ordered ? Number(match[3]) : null,
    contentIndent: match[1].length + match[2].length + spaces,
    content: match[5] || "",
  };
}

function parseBlocks(lines, depth) {
  const blocks = [];
  let paragraph = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ type: "paragraph", children: parseInline(paragraph.join("\n"), depth) });
    paragraph = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      flush();
      i += 1;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence && !(fence[1][0] === "`" && fence[2].includes("`"))) {
      flush();
      const closing = new RegExp(`^ {0,3}${fence[1][0] === "`" ? "`" : "~"}{${fence[1].length},}\\s*$`);
      const code = [];
      i += 1;
      while (i < lines.length && !closing.test(lines[i])) code.push(lines[i++]);
      i += 1; // the closing fence (or the end of the message)
      blocks.push({ type: "code", value: code.join("\n") });
      continue;
    }
    const item = listItem(line, depth);
    // A list interrupts a paragraph only with a bullet or a "1.", so that "2024. A good year" stays text.
    if (item && (!paragraph.length || !item.ordered || item.number === 1)) {
      flush();
      const list = parseList(lines, i, depth);
      blocks.push(list.block);
      i = list.next;
      continue;
    }
    paragraph.push(paragraph.length ? line.trimStart() : line.trim());
    i += 1;
  }
  flush();
  return blocks;
}

function sameList(item, first) {
  return item && item.ordered === first.ordered && item.marker === first.marker;
}

function parseList(lines, start, depth) {
  const first = listItem(lines[start], depth);
  const items = [];
  let i = start;
  while (i < lines.length) {
    const item = listItem(lines[i], depth);
    if (!sameList(item, first)) break;
    const content = [item.content];
    i += 1;
    while (i < lines.length) {
      const line = lines[i];
      if (isBlank(line)) {
        let next = i;
        while (next < lines.length && isBlank(lines[next])) next += 1;
        if (next < lines.length && indentOf(lines[next]) >= item.contentIndent) {
          while (i < next) content.push(lines[i++].trim());
          continue;
        }
        break;
      }
      if (indentOf(line) >= item.contentIndent) {
        content.push(dedent(line, item.contentIndent));
      } else if (listItem(line, depth) || FENCE.test(line) || isBlank(content[content.length - 1])) {
        break;
      } else {
        content.push(line.trimStart()); // a lazy continuation of the item's text
      }
      i += 1;
    }
    items.push(parseBlocks(content, depth + 1));
    // Blank lines between two items of the same list keep the list going.
    let next = i;
    while (next < lines.length && isBlank(lines[next])) next += 1;
    if (next > i && next < lines.length && sameList(listItem(lines[next], depth), first) && indentOf(lines[next]) < first.contentIndent) {
      i = next;
    }
  }
  return { block: { type: "list", ordered: first.ordered, start: first.number ?? 1, items }, next: i };
}

// ----------------------------------------------------------------------------------------------- inline

/** The first index in the sorted ``list`` whose value is at least ``value``. */
function lowerBound(list, value, key = (x) => x) {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (key(list[middle]) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * What the inline parser needs to know about ``s`` before it starts, each in one pass: escapes, code spans,
 * emphasis delimiter runs and the closers they may match, and matching brackets.
 */
function index(s) {
  const n = s.length;
  const escaped = new Uint8Array(n); // 1: an escaped character, 2: the backslash escaping it
  for (let i = 0; i < n - 1; i++) {
    if (s[i] === "\\" && ASCII_PUNCTUATION.test(s[i + 1])) {
      escaped[i] = 2;
      escaped[i + 1] = 1;
      i += 1;
    }
  }

  // Code spans: a run of backticks closed by the next run of the same length.
  const ticks = [];
  const ticksByLength = new Map();
  for (let i = 0; i < n; ) {
    if (s[i] !== "`") {
      i += 1;
      continue;
    }
    let end = i;
    while (end < n && s[end] === "`") end += 1;
    const run = { start: i, length: end - i };
    ticks.push(run);
    if (!ticksByLength.has(run.length)) ticksByLength.set(run.length, []);
    ticksByLength.get(run.length).push(run.start);
    i = end;
  }
  const codeSpans = new Map(); // start -> {end, value}
  const inCode = new Uint8Array(n);
  let consumed = 0;
  for (const run of ticks) {
    if (run.start < consumed || escaped[run.start] === 1) continue;
    const same = ticksByLength.get(run.length);
    const next = same[lowerBound(same, run.start + run.length)];
    if (next === undefined) continue;
    let value = s.slice(run.start + run.length, next).replace(/\n/g, " ");
    if (value.length > 2 && value[0] === " " && value[value.length - 1] === " " && value.trim()) value = value.slice(1, -1);
    codeSpans.set(run.start, { end: next + run.length, value });
    inCode.fill(1, run.start, next + run.length);
    consumed = next + run.length;
  }
  for (let i = 0; i < n; i++) if (inCode[i]) escaped[i] = 0;

  // Emphasis delimiter runs of * and _, and for each kind of closing the runs that may close it.
  const runEnd = new Int32Array(n);
  const openers = new Uint8Array(n);
  const closers = { "*": { em: [], strong: [], both: [] }, _: { em: [], strong: [], both: [] } };
  for (let i = 0; i < n; ) {
    const ch = s[i];
    if ((ch !== "*" && ch !== "_") || inCode[i] || escaped[i]) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < n && s[end] === ch && !inCode[end] && !escaped[end]) end += 1;
    runEnd.fill(end, i, end);
    const before = i > 0 ? s[i - 1] : " ";
    const after = end < n ? s[end] : " ";
    const canOpen = !SPACE.test(after) && (ch === "*" || !WORD.test(before));
    const canClose = !SPACE.test(before) && (ch === "*" || !WORD.test(after));
    if (canOpen) openers[i] = 1;
    if (canClose) {
      const length = end - i;
      const run = { start: i, end };
      if (length === 1 || length >= 3) closers[ch].em.push(run);
      if (length >= 2) closers[ch].strong.push(run);
      if (length >= 3) closers[ch].both.push(run);
    }
    i = end;
  }

  // Brackets: each [ with its matching ], outside code spans and escapes.
  const bracket = new Int32Array(n).fill(-1);
  const stack = [];
  for (let i = 0; i < n; i++) {
    if (inCode[i] || escaped[i]) continue;
    if (s[i] === "[") stack.push(i);
    else if (s[i] === "]" && stack.length) bracket[stack.pop()] = i;
  }
  return { s, escaped, codeSpans, runEnd, openers, closers, bracket };
}

/** Parse one paragraph's (or list item's) text into inline nodes. */
export function parseInline(text, depth = 0) {
  const s = String(text);
  return inlineRange(index(s), 0, s.length, depth, false);
}

const DELIMITER_WIDTH = { em: 1, strong: 2, both: 3 };

/** The run that closes an opener of ``kind`` whose content starts at ``from``, within ``limit``; or ``null``. */
function closerFor(ix, ch, kind, from, limit) {
  const list = ix.closers[ch][kind];
  const found = list[lowerBound(list, from, (run) => run.start)];
  if (!found || found.end > limit) return null;
  return { contentEnd: found.end - DELIMITER_WIDTH[kind], end: found.end };
}

function inlineRange(ix, start, end, depth, inLink) {
  const { s } = ix;
  const out = [];
  let text = "";
  const pushText = (value) => {
    text += value;
  };
  const flush = () => {
    if (text) out.push({ type: "text", value: text });
    text = "";
  };
  const push = (node) => {
    flush();
    out.push(node);
  };

  let p = start;
  while (p < end) {
    SPECIAL.lastIndex = p;
    const found = SPECIAL.exec(s);
    const q = found ? Math.min(found.index, end) : end;
    if (q > p) {
      pushText(s.slice(p, q));
      p = q;
      if (p >= end) break;
    }
    const ch = s[p];

    if (ix.escaped[p] === 2) {
      pushText(s[p + 1]);
      p += 2;
      continue;
    }
    if (ch === "\\" && s[p + 1] === "\n") {
      push({ type: "break" });
      p += 2;
      continue;
    }
    if (ch === "\n") {
      text = text.replace(/[ \t]+$/, "");
      push({ type: "break" });
      p += 1;
      while (p < end && (s[p] === " " || s[p] === "\t")) p += 1;
      continue;
    }
    if (ch === "`") {
      const span = ix.codeSpans.get(p);
      if (span && span.end <= end) {
        push({ type: "code", value: span.value });
        p = span.end;
      } else {
        let q2 = p;
        while (q2 < end && s[q2] === "`") q2 += 1;
        pushText(s.slice(p, q2));
        p = q2;
      }
      continue;
    }
    if ((ch === "*" || ch === "_") && !ix.escaped[p]) {
      const runEnd = Math.min(ix.runEnd[p], end);
      const length = runEnd - p;
      if (length > 3 || !ix.openers[p] || depth >= MAX_DEPTH) {
        pushText(length > 3 ? s.slice(p, runEnd) : ch);
        p = length > 3 ? runEnd : p + 1;
        continue;
      }
      const kind = length === 1 ? "em" : length === 2 ? "strong" : "both";
      const closer = closerFor(ix, ch, kind, p + length, end);
      if (!closer || closer.contentEnd <= p + length) {
        pushText(ch); // not closed: a literal delimiter; the rest of the run may still open something shorter
        p += 1;
        continue;
      }
      const children = inlineRange(ix, p + length, closer.contentEnd, depth + 1, inLink);
      if (kind === "em") push({ type: "em", children });
      else if (kind === "strong") push({ type: "strong", children });
      else push({ type: "strong", children: [{ type: "em", children }] });
      p = closer.end;
      continue;
    }
    if (ch === "[" && !inLink && depth < MAX_DEPTH) {
      const link = inlineLink(ix, p, end, depth);
      if (link) {
        push(link.node);
        p = link.end;
        continue;
      }
      pushText(ch);
      p += 1;
      continue;
    }
    if (ch === "<" && !inLink) {
      const auto = autolink(s, p, end);
      if (auto) {
        push(auto.node);
        p = auto.end;
        continue;
      }
      pushText(ch);
      p += 1;
      continue;
    }
    if (ch === "h" && !inLink && (p === 0 || !WORD.test(s[p - 1]))) {
      const bare = bareLink(s, p, end);
      if (bare) {
        push(bare.node);
        p = bare.end;
        continue;
      }
    }
    pushText(ch);
    p += 1;
  }
  flush();
  return out;
}

/** ``[label](destination "title")`` starting at ``p``: the link, or the text it was written as when refused. */
function inlineLink(ix, p, end, depth) {
  const { s } = ix;
  const close = ix.bracket[p];
  if (close < 0 || close + 1 >= end || s[close + 1] !== "(") return null;
  const from = close + 2;
  const limit = Math.min(end, from + MAX_URL + 256);
  let paren = -1;
  let nested = 0;
  for (let i = from; i < limit; i++) {
    if (s[i] === "\\") {
      i += 1;
    } else if (s[i] === "(") {
      nested += 1;
    } else if (s[i] === ")") {
      if (nested === 0) {
        paren = i;
        break;
      }
      nested -= 1;
    } else if (s[i] === "\n" && s[i + 1] === "\n") {
      break;
    }
  }
  if (paren < 0) return null;
  const inside = s.slice(from, paren).trim();
  const match = /^(<[^<>\n]*>|\S*)(?:\s+("[^"]*"|'[^']*'))?$/.exec(inside);
  if (!match) return null;
  const destination = (match[1].startsWith("<") ? match[1].slice(1, -1) : match[1]).replace(/\\([!-/:-@[-`{-~])/g, "$1");
  const href = safeHref(destination);
  if (!href) {
    // Not an address a customer may be sent to: the whole link stays the text it was written as.
    return { node: { type: "text", value: s.slice(p, paren + 1) }, end: paren + 1 };
  }
  const children = inlineRange(ix, p + 1, close, depth + 1, true);
  return { node: { type: "link", href, children }, end: paren + 1 };
}

/** ``<https://…>`` or ``<name@example.com>`` starting at ``p``. */
function autolink(s, p, end) {
  const limit = Math.min(end, p + MAX_URL + 2);
  let close = -1;
  for (let i = p + 1; i < limit; i++) {
    if (s[i] === ">") {
      close = i;
      break;
    }
    if (s[i] === "<" || SPACE.test(s[i])) return null;
  }
  if (close < 0) return null;
  const inside = s.slice(p + 1, close);
  const href = AUTOLINK.test(inside) ? safeHref(inside) : EMAIL.test(inside) ? safeHref(`mailto:${inside}`) : null;
  if (!href) return null;
  return { node: { type: "link", href, children: [{ type: "text", value: inside }] }, end: close + 1 };
}

/** A bare ``http://`` or ``https://`` address starting at ``p``, without the punctuation that ends its sentence. */
function bareLink(s, p, end) {
  const match = /^https?:\/\/[^\s<>]+/.exec(s.slice(p, Math.min(end, p + MAX_URL)));
  if (!match) return null;
  let url = match[0];
  for (;;) {
    const last = url[url.length - 1];
    if (".,:;!?'\"*_~".includes(last)) url = url.slice(0, -1);
    else if (last === ")" && (url.match(/\(/g) || []).length < (url.match(/\)/g) || []).length) url = url.slice(0, -1);
    else break;
  }
  const href = safeHref(url);
  if (!href || url.length <= "https://".length) return null;
  return { node: { type: "link", href, children: [{ type: "text", value: url }] }, end: p + url.length };
}
