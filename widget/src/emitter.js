/** A minimal event emitter: ``on(name, fn)`` returns a function that removes the listener; ``*`` hears all. */
export function createEmitter() {
  const listeners = new Map();
  return {
    on(name, fn) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(fn);
      return () => listeners.get(name).delete(fn);
    },
    emit(name, detail) {
      for (const key of [name, "*"]) {
        for (const fn of listeners.get(key) || []) {
          try {
            fn(detail, name);
          } catch (error) {
            console.error(error);
          }
        }
      }
    },
  };
}
