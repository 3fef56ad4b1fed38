/**
 * Client module (Docusaurus runs it in the browser): after every client-side route change,
 * tell the widget, which re-measures its launcher's place, hides the selection button and lets
 * Python refresh what depends on the page (window.ChatKitWidget.pageChanged in the loader; it
 * never boots the widget). Absent before the loader ran: nothing to tell then.
 */
export function onRouteDidUpdate({location, previousLocation}) {
  if (previousLocation && location.pathname === previousLocation.pathname) return;
  if (typeof window !== 'undefined' && window.ChatKitWidget && window.ChatKitWidget.pageChanged) {
    window.ChatKitWidget.pageChanged();
  }
}
