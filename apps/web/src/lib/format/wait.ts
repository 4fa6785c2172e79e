/** How long to wait, as a person says it: "a moment", "30 seconds", "2 minutes", "about an hour". */
export function waitWording(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds <= 1) return "a moment";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes === 1) return "a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? "about an hour" : `about ${hours} hours`;
}

/** The sentence for a 429: what happened, and how long to wait when the server said. */
export function rateLimitedSentence(retryAfterMs: number | undefined): string {
  return retryAfterMs === undefined
    ? "Too many attempts. Wait a little, then try again."
    : `Too many attempts. Try again in ${waitWording(retryAfterMs)}.`;
}

/** A server message as a sentence: capital first letter, a full stop at the end. */
export function asSentence(message: string): string {
  const text = message.trim();
  if (text === "") return text;
  const capital = text.charAt(0).toLocaleUpperCase() + text.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}
