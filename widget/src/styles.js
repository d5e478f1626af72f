/**
 * The widget's styles, inside its shadow root: the page's styles do not reach in, and these do not leak out.
 *
 * Everything a site may change is a CSS custom property on the host element (``#connect-chat-widget``); the
 * page's own rules win over these defaults. Layout uses logical properties, so right-to-left languages mirror it.
 */

/** Colours of the light theme (the default). */
const LIGHT = {
  accent: "#0b5cad",
  "on-accent": "#ffffff",
  background: "#ffffff",
  surface: "#f5f7fa",
  text: "#1b1f24",
  muted: "#535b66",
  border: "#767f8a",
  divider: "#dde2e8",
  "other-bubble": "#ffffff",
  "other-text": "#1b1f24",
  notice: "#e8ecf1",
  focus: "#0b5cad",
  "focus-on-accent": "#ffffff",
  error: "#8a1c1c",
  "error-background": "#fde7e7",
  status: "#5c4400",
  "status-background": "#fff4d6",
  badge: "#c62828",
  shadow: "0 10px 40px rgba(0, 0, 0, 0.28)",
};

/** Colours of the dark theme (``data-theme="dark"``, or ``auto`` when the system prefers dark). */
const DARK = {
  accent: "#2563eb",
  "on-accent": "#ffffff",
  background: "#1e2228",
  surface: "#16191d",
  text: "#e8eaed",
  muted: "#a9b1bb",
  border: "#7c8591",
  divider: "#2f353d",
  "other-bubble": "#2a2f36",
  "other-text": "#e8eaed",
  notice: "#2a2f36",
  focus: "#8ab4f8",
  "focus-on-accent": "#ffffff",
  error: "#ffb4ab",
  "error-background": "#3d1d1d",
  status: "#ffe08a",
  "status-background": "#3a3000",
  badge: "#ef5350",
  shadow: "0 10px 40px rgba(0, 0, 0, 0.6)",
};

/** Fonts, sizes, radii and position (the same in both themes). */
const LAYOUT = {
  "font-family": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  "font-size": "15px",
  radius: "14px",
  "message-radius": "14px",
  "control-radius": "8px",
  "panel-width": "370px",
  "panel-height": "560px",
  "bubble-size": "60px",
  "offset-x": "20px",
  "offset-y": "20px",
  "z-index": "2147483000",
};

/** The documented custom properties, with their light-theme defaults (for widget/README.md and the tests). */
export const CUSTOM_PROPERTIES = Object.freeze(
  Object.fromEntries(Object.entries({ ...LIGHT, ...LAYOUT }).map(([name, value]) => [`--ccw-${name}`, value]))
);

function declarations(values) {
  return Object.entries(values)
    .map(([name, value]) => `--ccw-${name}: ${value};`)
    .join(" ");
}

const v = (name) => `var(--ccw-${name})`;

export const CSS = `
:host { all: initial; color-scheme: light; ${declarations(LIGHT)} ${declarations(LAYOUT)} }
:host([data-theme="dark"]) { color-scheme: dark; ${declarations(DARK)} }
@media (prefers-color-scheme: dark) { :host([data-theme="auto"]) { color-scheme: dark; ${declarations(DARK)} } }
.root { font-family: ${v("font-family")}; font-size: ${v("font-size")}; color: ${v("text")}; line-height: 1.35; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
button { font: inherit; color: inherit; }
:focus-visible { outline: 2px solid ${v("focus")}; outline-offset: 2px; }

.bubble { position: fixed; bottom: ${v("offset-y")}; width: ${v("bubble-size")}; height: ${v("bubble-size")};
  border-radius: 50%; border: none; cursor: pointer; background: ${v("accent")}; color: ${v("on-accent")};
  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25); display: flex; align-items: center; justify-content: center; z-index: ${v("z-index")}; }
.bubble:focus-visible { outline: 3px solid ${v("focus")}; outline-offset: 3px; }
.bubble svg { width: 46%; height: 46%; fill: currentColor; }
.badge { position: absolute; top: -4px; inset-inline-end: -4px; min-width: 22px; height: 22px; border-radius: 11px;
  background: ${v("badge")}; color: #fff; font-size: 12px; font-weight: 700; display: flex; align-items: center; justify-content: center; padding: 0 6px; }

.panel { position: fixed; bottom: calc(${v("offset-y")} + ${v("bubble-size")} + 12px); width: ${v("panel-width")};
  max-width: calc(100vw - 24px); height: ${v("panel-height")}; max-height: calc(100vh - ${v("bubble-size")} - 50px);
  background: ${v("background")}; border-radius: ${v("radius")}; box-shadow: ${v("shadow")};
  display: flex; flex-direction: column; overflow: hidden; z-index: ${v("z-index")}; }
:host([data-bubble="hidden"]) .panel { bottom: ${v("offset-y")}; max-height: calc(100vh - 2 * ${v("offset-y")}); }
.right { right: ${v("offset-x")}; }
.left { left: ${v("offset-x")}; }

header { background: ${v("accent")}; color: ${v("on-accent")}; padding-block: 10px; padding-inline: 16px 10px;
  display: flex; align-items: center; gap: 6px; }
header h2 { font-size: 16px; margin: 0; flex: 1; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
header button { background: rgba(255, 255, 255, 0.16); color: ${v("on-accent")}; border: none; border-radius: 6px;
  padding: 6px 10px; font-size: 13px; cursor: pointer; min-height: 32px; }
header button:hover { background: rgba(255, 255, 255, 0.28); }
header button:focus-visible { outline-color: ${v("focus-on-accent")}; outline-offset: 1px; }
header button[aria-disabled="true"] { opacity: 0.7; cursor: default; }
header .icon-button { display: flex; align-items: center; justify-content: center; padding: 4px; width: 32px; }
header .icon-button svg { width: 18px; height: 18px; fill: currentColor; }

.status { font-size: 13px; padding: 6px 14px; background: ${v("status-background")}; color: ${v("status")}; }
.status:empty { display: none; }
.alert { font-size: 13px; padding: 6px 14px; background: ${v("error-background")}; color: ${v("error")};
  display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; }
.alert button { border: 1px solid currentColor; background: none; border-radius: 6px; padding: 2px 8px; cursor: pointer; font-size: 13px; }

.start { padding: 16px; display: flex; flex-direction: column; gap: 12px; flex: 1; overflow-y: auto; }
.field { display: flex; flex-direction: column; gap: 4px; }
.field label { font-weight: 600; }
.field .optional { font-weight: 400; color: ${v("muted")}; }
.field.check { flex-direction: row; flex-wrap: wrap; align-items: flex-start; gap: 8px; }
.field.check label { font-weight: 400; flex: 1; }
.field.check .field-error { flex-basis: 100%; }
input, select, textarea { font-family: inherit; font-size: max(16px, ${v("font-size")}); color: ${v("text")};
  background: ${v("background")}; border: 1px solid ${v("border")}; border-radius: ${v("control-radius")}; }
.field input:not([type="checkbox"]), .field select, .field textarea { padding: 9px 10px; width: 100%; }
.field input[type="checkbox"] { width: 20px; height: 20px; margin: 0; accent-color: ${v("accent")}; }
input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 2px solid ${v("focus")}; outline-offset: 1px; border-color: ${v("focus")}; }
[aria-invalid="true"] { border-color: ${v("error")}; }
.field-error { font-size: 13px; color: ${v("error")}; }
.field-error:empty { display: none; }
.primary { background: ${v("accent")}; color: ${v("on-accent")}; border: none; border-radius: ${v("control-radius")};
  padding: 10px 14px; cursor: pointer; min-height: 44px; }
.primary:disabled { opacity: 0.6; cursor: default; }

.log { flex: 1; overflow-y: auto; margin: 0; padding: 12px; list-style: none; background: ${v("surface")};
  display: flex; flex-direction: column; gap: 8px; }
.log:focus-visible { outline-offset: -3px; }
.entry { display: flex; flex-direction: column; max-width: 82%; }
.entry.own { align-self: flex-end; align-items: flex-end; }
.entry.other { align-self: flex-start; align-items: flex-start; }
.entry.notice { align-self: center; max-width: 95%; font-size: 12px; color: ${v("muted")}; background: ${v("notice")};
  border-radius: 10px; padding: 3px 10px; text-align: center; }
.meta { font-size: 11px; color: ${v("muted")}; margin: 0 4px 2px; }
.text { padding: 8px 12px; border-radius: ${v("message-radius")}; white-space: pre-wrap; overflow-wrap: anywhere; }
.own .text { background: ${v("accent")}; color: ${v("on-accent")}; border-end-end-radius: 4px; }
.other .text { background: ${v("other-bubble")}; color: ${v("other-text")}; border: 1px solid ${v("divider")}; border-end-start-radius: 4px; }
.receipt { font-size: 11px; color: ${v("muted")}; margin: 2px 4px 0; }
.receipt.failed { color: ${v("error")}; }
.receipt button, .file button { font-size: 12px; border: none; background: none; color: inherit; text-decoration: underline; cursor: pointer; padding: 0 2px; }
.file { display: flex; flex-direction: column; gap: 2px; }
.file-name { font-weight: 600; }
.file-state { font-size: 12px; opacity: 0.9; }
.typing { font-size: 12px; color: ${v("muted")}; padding: 4px 14px; min-height: 22px; background: ${v("surface")}; }

.composer { display: flex; gap: 6px; align-items: flex-end; padding: 10px; border-top: 1px solid ${v("divider")}; background: ${v("background")}; }
.composer textarea { flex: 1; resize: none; padding: 8px 10px; min-height: 44px; max-height: 120px; }
.icon { background: none; border: 1px solid ${v("border")}; border-radius: ${v("control-radius")}; width: 44px; height: 44px;
  cursor: pointer; color: ${v("text")}; display: flex; align-items: center; justify-content: center; flex: none; }
.icon svg { width: 20px; height: 20px; fill: currentColor; }
:dir(rtl) .icon.send svg { transform: scaleX(-1); }
.ended { padding: 12px; border-top: 1px solid ${v("divider")}; display: flex; flex-wrap: wrap; justify-content: center; gap: 8px; }
.secondary { background: ${v("background")}; color: ${v("accent")}; border: 1px solid ${v("accent")}; border-radius: ${v("control-radius")};
  padding: 10px 14px; cursor: pointer; min-height: 44px; }
:host([data-theme="dark"]) .secondary { color: ${v("text")}; border-color: ${v("border")}; }
.challenge { display: none; padding: 10px 14px; justify-content: center; border-bottom: 1px solid ${v("divider")}; }
.challenge.active { display: flex; }

.entry.past { opacity: 0.85; }
.divider { align-self: stretch; display: flex; align-items: center; gap: 8px; font-size: 12px; color: ${v("muted")}; }
.divider::before, .divider::after { content: ""; flex: 1; border-top: 1px solid ${v("divider")}; }

/* Markdown: the text's own line breaks become <br>, so blank space collapses as on a page. */
.entry[data-content="markdown"] .text, .entry[data-content="interactive"] .text { white-space: normal; max-width: 100%; min-width: 0; }
.content-markdown > :first-child { margin-top: 0; }
.content-markdown > :last-child { margin-bottom: 0; }
.content-markdown p, .content-markdown ul, .content-markdown ol, .content-markdown pre { margin: 0 0 0.5em; }
.content-markdown ul, .content-markdown ol { padding-inline-start: 1.4em; }
.content-markdown ul { list-style-type: disc; }
.content-markdown ul ul { list-style-type: circle; }
.content-markdown li > p { margin: 0; }
.content-markdown a, .content-interactive a { color: inherit; text-decoration: underline; text-underline-offset: 2px; }
.content-markdown code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em;
  background: rgba(127, 127, 127, 0.16); border-radius: 4px; padding: 0 3px; }
.content-markdown pre { white-space: pre; overflow-x: auto; background: rgba(127, 127, 127, 0.16); border-radius: 6px; padding: 6px 8px; }
.content-markdown pre code { background: none; padding: 0; }

/* Interactive messages: a card of options the customer chooses from. */
.entry[data-content="interactive"] { max-width: 92%; width: 92%; }
.entry[data-content="interactive"] .text { align-self: stretch; padding: 10px; }
.content-interactive { display: flex; flex-direction: column; gap: 6px; }
.im-title { margin: 0; font-weight: 600; }
.im-subtitle, .im-location, .im-chosen, .im-day-title { margin: 0; font-size: 13px; color: ${v("muted")}; }
.im-image { display: block; width: 100%; max-height: 120px; object-fit: cover; border-radius: 8px; }
.im-options { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.im-option, .im-quick, .im-slot { font: inherit; color: ${v("text")}; background: ${v("background")}; border: 1px solid ${v("border")};
  border-radius: ${v("control-radius")}; cursor: pointer; min-height: 44px; width: 100%; text-align: start; padding: 8px 10px;
  display: flex; align-items: center; gap: 10px; }
.im-option:hover:not(:disabled), .im-quick:hover:not(:disabled), .im-slot:hover:not(:disabled) { border-color: ${v("accent")}; box-shadow: inset 0 0 0 1px ${v("accent")}; }
.im-option:disabled, .im-quick:disabled, .im-slot:disabled { cursor: default; opacity: 0.65; }
.im-thumb { width: 48px; height: 48px; object-fit: cover; border-radius: 6px; flex: none; }
.im-option-text { display: flex; flex-direction: column; min-width: 0; }
.im-option-subtitle { font-size: 13px; color: ${v("muted")}; }
.im-quick-replies { flex-direction: row; flex-wrap: wrap; }
.im-quick { width: auto; border-radius: 999px; padding: 6px 14px; justify-content: center; }
.im-days { display: flex; flex-direction: column; gap: 8px; }
.im-slots { flex-direction: row; flex-wrap: wrap; }
.im-slots li { flex: 1 1 40%; }
.im-slot { justify-content: center; }
.im-carousel { display: flex; flex-direction: column; gap: 6px; }
.im-track { display: flex; gap: 8px; overflow-x: auto; scroll-snap-type: x mandatory; padding-bottom: 4px; }
.im-card { flex: 0 0 85%; scroll-snap-align: start; display: flex; flex-direction: column; gap: 6px; padding: 8px;
  border: 1px solid ${v("divider")}; border-radius: 10px; background: ${v("surface")}; }
.im-nav { display: flex; justify-content: flex-end; gap: 6px; }
.im-nav-button { background: none; border: 1px solid ${v("border")}; border-radius: 50%; width: 36px; height: 36px; cursor: pointer;
  color: ${v("text")}; display: flex; align-items: center; justify-content: center; }
.im-nav-button svg { width: 20px; height: 20px; fill: currentColor; }
:dir(rtl) .im-nav-button svg { transform: scaleX(-1); }
.im-answer { display: flex; flex-direction: column; gap: 4px; border-top: 1px solid ${v("divider")}; padding-top: 6px; }
.im-reply-title { margin: 0; font-weight: 600; }
.im-fallback-options { margin: 0; padding-inline-start: 1.2em; }

@media (max-width: 480px) {
  .panel { left: 8px; right: 8px; width: auto; max-width: none; bottom: calc(${v("bubble-size")} + 24px);
    height: calc(100% - ${v("bubble-size")} - 36px); max-height: none; }
  :host([data-bubble="hidden"]) .panel { bottom: 8px; height: calc(100% - 16px); }
  .bubble.right { right: 12px; }
  .bubble.left { left: 12px; }
  .bubble { bottom: 12px; }
}
@media (prefers-reduced-motion: no-preference) { .panel { animation: ccw-in 0.15s ease-out; } }
@keyframes ccw-in { from { opacity: 0; transform: translateY(8px); } to { opacity: 1; transform: none; } }
`;
