/**
 * Replies that arrive while the page is hidden (another tab, a minimised window): the ``notify`` option flashes
 * the page title (``title``), plays a short chime (``sound``), or both. Nothing happens on a visible page.
 */

const FLASH_MS = 1000;
const SOUND_GAP_MS = 2000;

/**
 * @param {{modes: string[], text: (count: number) => string, events: {emit: Function}}} options
 *   ``text(count)`` is the title shown while flashing; ``events`` receives a public ``notify`` event.
 */
export function createNotifier({ modes, text, events }) {
  const flash = modes.includes("title");
  const sound = modes.includes("sound");
  let unseen = 0;
  let timer = null;
  let pageTitle = null;
  let audio = null;
  let lastSound = 0;

  function reply() {
    if (document.visibilityState !== "hidden") return;
    unseen += 1;
    if (flash) startFlashing();
    const chimed = sound ? chime() : false;
    events.emit("notify", { count: unseen, title: flash, sound: chimed });
  }

  function startFlashing() {
    if (timer) return;
    pageTitle = document.title;
    let on = false;
    const tick = () => {
      on = !on;
      document.title = on ? `${text(unseen)} – ${pageTitle}` : pageTitle;
    };
    tick();
    timer = setInterval(tick, FLASH_MS);
  }

  function stop() {
    unseen = 0;
    if (!timer) return;
    clearInterval(timer);
    timer = null;
    document.title = pageTitle;
  }

  /** Create (or wake) the audio context during a user gesture, as browsers' autoplay rules require. */
  function unlock() {
    if (!sound) return;
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume().catch(() => {});
  }

  function chime() {
    const now = Date.now();
    if (now - lastSound < SOUND_GAP_MS) return false;
    unlock();
    if (!audio) return false;
    lastSound = now;
    const start = audio.currentTime;
    for (const [offset, frequency] of [
      [0, 880],
      [0.14, 660],
    ]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.3);
    }
    return true;
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") stop();
  });

  return { reply, stop, unlock, enabled: flash || sound };
}
