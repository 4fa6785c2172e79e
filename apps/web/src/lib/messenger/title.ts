const APP_NAME = "Rhizome";

/**
 * The tab title: `(3) Rhizome` while anything is unread (the count is what a glance at the tab
 * bar is for), the page's own title otherwise.
 */
export function titleWithUnread(title: string, unread: number): string {
  return unread > 0 ? `(${unread}) ${APP_NAME}` : title;
}
