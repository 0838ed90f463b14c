// The demo's login switcher and theme switch. Tokens are signed server-side by scripts/demo-tokens.mjs
// (run by scripts/demo.sh, like a host site's backend would) into /demo-tokens.json; a guest has none.
const personas = [
  ['guest', 'Guest (no account)'],
  ['newbie', 'Nina, new member'],
  ['regular', 'Lieke, regular'],
  ['staff', 'Sam, Acme staff'],
  ['moderator', 'Mia, moderator'],
];
const tokens = await fetch('/demo-tokens.json', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : {}), () => ({}));
const threads = [...document.querySelectorAll('kring-thread')];
// The host's approval of each page's thread and its title (docs/protocol.md "Thread tickets").
const tickets = await fetch('/demo-tickets.json', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : {}), () => ({}));
for (const thread of threads) {
  const approval = tickets[thread.getAttribute('thread')];
  if (approval) {
    thread.setAttribute('ticket', approval.ticket);
    thread.setAttribute('thread-title', approval.title);
  }
}

function signIn(persona) {
  localStorage.setItem('kring-demo-persona', persona);
  for (const thread of threads) {
    if (tokens[persona]) thread.setAttribute('token', tokens[persona]);
    else thread.removeAttribute('token');
  }
}

function setTheme(theme) {
  localStorage.setItem('kring-demo-theme', theme);
  document.documentElement.dataset.theme = theme;
  for (const thread of threads) {
    if (theme === 'auto') thread.removeAttribute('theme');
    else thread.setAttribute('theme', theme);
  }
}

const personaSelect = document.querySelector('#persona');
for (const [value, label] of personas) personaSelect.append(new Option(label, value));
personaSelect.value = localStorage.getItem('kring-demo-persona') ?? 'regular';
personaSelect.addEventListener('change', () => signIn(personaSelect.value));
const themeSelect = document.querySelector('#theme');
themeSelect.value = new URLSearchParams(location.search).get('theme') ?? localStorage.getItem('kring-demo-theme') ?? 'auto';
themeSelect.addEventListener('change', () => setTheme(themeSelect.value));
signIn(personaSelect.value);
setTheme(themeSelect.value);

// A host hands its moderator's sign-in to the console in the address's fragment, which no server sees.
// The console is the community server's (the link's origin), not the shop's.
const consoleLink = document.querySelector('#console-link');
if (tokens.moderator) {
  consoleLink.href = new URL(`/console/?site=demo#token=${encodeURIComponent(tokens.moderator)}`, consoleLink.href).href;
}

// The host's analytics would listen here.
document.addEventListener('kring:error', (event) => console.warn('kring:error', event.detail));
