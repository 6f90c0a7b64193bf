/** A listener or callback that deliberately does nothing: `socket.on('error', ignore)`, `promise.catch(ignore)`. */
export function ignore(): void {
  // Intentionally empty.
}
