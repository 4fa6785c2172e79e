/** The tab title with the total unread in front, e.g. `(3) General · Rhizome`. */
export function titleWithUnread(title: string, unread: number): string {
  return unread > 0 ? `(${unread}) ${title}` : title;
}
