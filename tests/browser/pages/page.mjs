// Test page script: one <kring-thread> from the URL's parameters, and records of what the tests
// check (CSP violations, the widget's DOM events, dialogs a payload might open).
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) =>
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`));
window.kringEvents = [];
for (const name of ['kring:post', 'kring:vote', 'kring:accept', 'kring:flag', 'kring:error', 'kring:moderate', 'kring:read', 'kring:follow']) {
  document.addEventListener(name, (event) => window.kringEvents.push({ name, detail: event.detail }));
}
const params = new URLSearchParams(location.search);
if (params.has('htmlLang')) document.documentElement.lang = params.get('htmlLang');
const element = document.createElement('kring-thread');
for (const name of ['site', 'thread', 'kind', 'lang', 'theme', 'server', 'token', 'ticket', 'thread-title']) {
  if (params.get(name)) element.setAttribute(name, params.get(name));
}
// The widget at once, unless the test is about reader-first (`reader`: the loader's default).
if (!params.has('reader')) element.setAttribute('load', 'interactive');
// getToken(): hands out the tokens of the `tokens` parameter in turn, counting the calls.
if (params.get('tokens')) {
  const tokens = JSON.parse(params.get('tokens'));
  window.getTokenCalls = 0;
  element.getToken = async () => tokens[Math.min((window.getTokenCalls += 1) - 1, tokens.length - 1)];
}
// tokenLater: a host that learns who the visitor is a second after the element connected.
if (params.get('tokenLater')) {
  setTimeout(() => {
    element.getToken = async () => params.get('tokenLater');
  }, 1000);
}
// farBelow: the element starts far out of view, to check that nothing loads before it nears it.
if (params.get('farBelow')) Object.assign(element.style, { display: 'block', marginTop: '5000px' });
document.querySelector('main').append(element);
// widgetOrigin: the loader comes from another origin, as on a shop embedding its community server.
if (params.get('widgetOrigin')) {
  const loader = document.createElement('script');
  loader.type = 'module';
  loader.src = new URL('/kring/kring.js', params.get('widgetOrigin')).href;
  document.head.append(loader);
}
