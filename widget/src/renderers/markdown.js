/**
 * The ``text/markdown`` renderer: the tree of ``markdown-parser.js`` built as DOM nodes (never as HTML), and
 * as plain text for the transcript download.
 *
 * Links open in a new tab with ``rel="noopener noreferrer"``; the parser lets through http, https and mailto
 * addresses only. A message longer than any Connect sends is shown as plain text rather than parsed.
 */
import { CONTENT_TYPES as CT, MAX_MESSAGE_CHARS } from "../protocol.js";
import { parseMarkdown } from "./markdown-parser.js";
import { registerRenderer } from "./registry.js";

/** Connect's messages are at most 16 KB; anything much longer is shown as its text, unparsed. */
export const MAX_MARKDOWN_CHARS = 8 * MAX_MESSAGE_CHARS;

function inlineNodes(nodes, el) {
  return nodes.map((node) => {
    switch (node.type) {
      case "text":
        return document.createTextNode(node.value);
      case "break":
        return el("br");
      case "code":
        return el("code", { text: node.value });
      case "em":
        return el("em", {}, inlineNodes(node.children, el));
      case "strong":
        return el("strong", {}, inlineNodes(node.children, el));
      case "link":
        return el("a", { href: node.href, target: "_blank", rel: "noopener noreferrer" }, inlineNodes(node.children, el));
      default:
        return document.createTextNode("");
    }
  });
}

function blockNodes(blocks, el) {
  return blocks.map((block) => {
    if (block.type === "code") return el("pre", {}, [el("code", { text: block.value })]);
    if (block.type === "list") {
      const attributes = block.ordered && block.start !== 1 ? { start: String(block.start) } : {};
      return el(block.ordered ? "ol" : "ul", attributes, block.items.map((item) => el("li", {}, blockNodes(item, el))));
    }
    return el("p", {}, inlineNodes(block.children, el));
  });
}

/** Markdown ``source`` as a DOM subtree (``el`` is the widget's element helper). */
export function renderMarkdown(source, el) {
  const text = String(source == null ? "" : source);
  if (text.length > MAX_MARKDOWN_CHARS) return el("span", { className: "content-text", text });
  return el("div", { className: "content-markdown" }, blockNodes(parseMarkdown(text), el));
}

function inlineText(nodes) {
  return nodes
    .map((node) => {
      if (node.type === "text" || node.type === "code") return node.value;
      if (node.type === "break") return "\n";
      const label = inlineText(node.children);
      if (node.type === "link") {
        const address = node.href.replace(/^mailto:/, "");
        return label === node.href || label === address ? label : `${label} (${address})`;
      }
      return label;
    })
    .join("");
}

function indent(text, prefix) {
  const pad = " ".repeat(prefix.length);
  return text
    .split("\n")
    .map((line, i) => (i === 0 ? prefix : pad) + line)
    .join("\n");
}

function blocksText(blocks) {
  return blocks
    .map((block) => {
      if (block.type === "code") return block.value;
      if (block.type === "list") {
        return block.items.map((item, i) => indent(blocksText(item), block.ordered ? `${block.start + i}. ` : "- ")).join("\n");
      }
      return inlineText(block.children);
    })
    .join("\n");
}

/** Markdown ``source`` as plain text: markers removed, links followed by their address, lists as lines. */
export function markdownText(source) {
  const text = String(source == null ? "" : source);
  if (text.length > MAX_MARKDOWN_CHARS) return text;
  return blocksText(parseMarkdown(text));
}

registerRenderer(CT.MARKDOWN, {
  text: (context) => markdownText(context.content),
  render: (context) => renderMarkdown(context.content, context.el),
});
