/**
 * Roving focus over the items of a list (WAI-ARIA "roving tabindex"): the list is one Tab
 * stop, the item that last had focus (the newest at first); the arrow keys, Home and End
 * move between items. The items' own buttons and links are the items' business.
 */
export function rovingFocus(selector: string) {
  return (list: HTMLElement) => {
    let current: HTMLElement | null = null;
    const items = () => [...list.querySelectorAll<HTMLElement>(selector)];

    function settle() {
      const all = items();
      if (!current?.isConnected) current = all.at(-1) ?? null;
      for (const item of all) item.tabIndex = item === current ? 0 : -1;
    }

    function onfocusin(event: FocusEvent) {
      const item = (event.target as HTMLElement).closest<HTMLElement>(selector);
      if (item && item !== current && list.contains(item)) {
        current = item;
        settle();
      }
    }

    function onkeydown(event: KeyboardEvent) {
      // Only on an item itself: arrows inside an editor or a menu keep their meaning.
      const target = event.target as HTMLElement;
      if (!target.matches(selector)) return;
      const all = items();
      const at = all.indexOf(target);
      const next = {
        ArrowUp: all[at - 1],
        ArrowDown: all[at + 1],
        Home: all[0],
        End: all.at(-1),
      }[event.key];
      if (next === undefined && !["ArrowUp", "ArrowDown", "Home", "End"].includes(event.key))
        return;
      event.preventDefault();
      next?.focus();
    }

    const observer = new MutationObserver(settle);
    observer.observe(list, { childList: true, subtree: true });
    list.addEventListener("focusin", onfocusin);
    list.addEventListener("keydown", onkeydown);
    settle();
    return () => {
      observer.disconnect();
      list.removeEventListener("focusin", onfocusin);
      list.removeEventListener("keydown", onkeydown);
    };
  };
}
