/** Up to two initials of a display name ("Ada Lovelace" → "AL", "ada" → "AD"). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  const letters =
    words.length === 1
      ? Array.from(words[0] as string).slice(0, 2)
      : [Array.from(words[0] as string)[0], Array.from(words.at(-1) as string)[0]];
  return letters.join("").toUpperCase();
}

/** Black or white, whichever reads better on `#rrggbb` (WCAG relative luminance). */
export function textColorOn(hex: string): "#000000" | "#ffffff" {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) return "#ffffff";
  const channel = (value: string) => {
    const c = Number.parseInt(value, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = [match[1], match[2], match[3]].map((value) => channel(value as string)) as [
    number,
    number,
    number,
  ];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05): equal at L ≈ 0.179.
  return luminance > 0.179 ? "#000000" : "#ffffff";
}

/** A stable placeholder colour for a being not loaded yet. */
export const UNKNOWN_COLOR = "#8a94a6";
